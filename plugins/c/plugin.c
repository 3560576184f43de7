/* The example plugin in C: newline-delimited JSON-RPC 2.0 on stdin/stdout,
 * log lines on stderr. See plugins/README.md for the methods. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

#define MAX_LIMIT 10000000

static char *line;
static size_t cap;
static long long next_host_id = 1;

/* Reads one line without its "\n" (and "\r"); NULL at end of input. */
static char *read_line(size_t *len) {
    ssize_t n = getline(&line, &cap, stdin);
    if (n < 0) return NULL;
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) n--;
    *len = (size_t)n;
    return line;
}

/* Every message is one line; flush it before anything blocks on stdin. */
static void send(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void send(const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    vprintf(fmt, args);
    va_end(args);
    putchar('\n');
    fflush(stdout);
}

static void reply_error(span id, int code, const char *message, span detail) {
    send("{\"jsonrpc\":\"2.0\",\"id\":%.*s,\"error\":{\"code\":%d,\"message\":\"%s%.*s\"}}",
         (int)id.n, id.p, code, message, (int)detail.n, detail.p ? detail.p : "");
}

static void invalid_params(span id, const char *why) {
    reply_error(id, -32602, why, (span){0});
}

static bool both_ints(span params, long long *a, long long *b) {
    span x, y;
    if (json_get(params, "a", &x) && json_get(params, "b", &y)) return json_int(x, a) && json_int(y, b);
    return json_len(params) == 2 && json_at(params, 0, &x) && json_at(params, 1, &y) &&
           json_int(x, a) && json_int(y, b);
}

static long long sieve(long long limit) {
    unsigned char *composite = calloc((size_t)limit + 1, 1);
    long long count = 0;
    for (long long i = 2; i * i <= limit; i++)
        if (!composite[i])
            for (long long j = i * i; j <= limit; j += i) composite[j] = 1;
    for (long long i = 2; i <= limit; i++) count += !composite[i];
    free(composite);
    return count;
}

/* Sends host.echo with our own id and waits for its response. The response
 * lives in `line`, so the request's text must be copied before this call. */
static void echo_host(span id, span params) {
    long long own = next_host_id++;
    send("{\"jsonrpc\":\"2.0\",\"id\":%lld,\"method\":\"host.echo\",\"params\":%.*s}", own,
         (int)params.n, params.p);
    size_t n;
    char *text;
    while ((text = read_line(&n))) {
        span msg, rid, result, error;
        long long got;
        if (!json_parse(text, n, &msg) || !json_get(msg, "id", &rid) || !json_int(rid, &got) || got != own)
            continue; /* not the answer to our request */
        if (json_get(msg, "error", &error))
            send("{\"jsonrpc\":\"2.0\",\"id\":%.*s,\"error\":%.*s}", (int)id.n, id.p, (int)error.n, error.p);
        else if (json_get(msg, "result", &result))
            send("{\"jsonrpc\":\"2.0\",\"id\":%.*s,\"result\":%.*s}", (int)id.n, id.p, (int)result.n,
                 result.p);
        return;
    }
    reply_error(id, -32603, "the host did not answer host.echo", (span){0});
}

static void handle(span id, span method, span params) {
    if (json_str_eq(method, "ping")) {
        fprintf(stderr, "INFO c_plugin: ping\n");
        send("{\"jsonrpc\":\"2.0\",\"id\":%.*s,\"result\":\"pong\"}", (int)id.n, id.p);
    } else if (json_str_eq(method, "echo")) {
        send("{\"jsonrpc\":\"2.0\",\"id\":%.*s,\"result\":%.*s}", (int)id.n, id.p,
             params.p ? (int)params.n : 4, params.p ? params.p : "null");
    } else if (json_str_eq(method, "add")) {
        long long a, b, sum;
        if (!both_ints(params, &a, &b)) { invalid_params(id, "add takes {a, b} or [a, b] (integers)"); return; }
        if (__builtin_add_overflow(a, b, &sum)) { invalid_params(id, "add: the sum overflows"); return; }
        send("{\"jsonrpc\":\"2.0\",\"id\":%.*s,\"result\":%lld}", (int)id.n, id.p, sum);
    } else if (json_str_eq(method, "sieve")) {
        span arg;
        long long limit;
        if (!(json_len(params) == 1 ? json_at(params, 0, &arg) : json_get(params, "limit", &arg)) ||
            !json_int(arg, &limit) || limit < 0 || limit > MAX_LIMIT)
            { invalid_params(id, "sieve takes [limit] with 0 <= limit <= 10000000"); return; }
        send("{\"jsonrpc\":\"2.0\",\"id\":%.*s,\"result\":%lld}", (int)id.n, id.p, sieve(limit));
    } else if (json_str_eq(method, "echo_host")) {
        if (json_len(params) != 1) { invalid_params(id, "echo_host takes [x]"); return; }
        /* The read of the host's answer reuses the line buffer: keep copies. */
        char *copy = malloc(id.n + params.n);
        memcpy(copy, id.p, id.n);
        memcpy(copy + id.n, params.p, params.n);
        echo_host((span){copy, id.n}, (span){copy + id.n, params.n});
        free(copy);
    } else {
        span name = {method.p + 1, method.n - 2}; /* the raw text between the quotes */
        reply_error(id, -32601, "method not found: ", name);
    }
}

int main(void) {
    size_t n;
    char *text;
    while ((text = read_line(&n))) {
        span msg, id = {"null", 4}, method, params = {0};
        if (n == 0) continue;
        if (!json_parse(text, n, &msg)) {
            reply_error(id, -32700, "parse error", (span){0});
            continue;
        }
        bool has_id = json_get(msg, "id", &id);
        if (!json_get(msg, "method", &method) || method.p[0] != '"') {
            if (!json_get(msg, "result", &params) && !json_get(msg, "error", &params))
                reply_error((span){"null", 4}, -32600, "invalid request", (span){0});
            continue; /* a stray response: nobody asked */
        }
        json_get(msg, "params", &params);
        if (has_id) handle(id, method, params); /* notifications get no answer */
    }
    return 0;
}
