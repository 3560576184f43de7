#include "json.h"

#include <limits.h>
#include <string.h>

#define MAX_DEPTH 128

static const char *ws(const char *p, const char *end) {
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
    return p;
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

static const char *skip_string(const char *p, const char *end) {
    for (p++; p < end; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '"') return p + 1;
        if (c < 0x20) return NULL;
        if (c == '\\') {
            if (++p >= end) return NULL;
            if (*p == 'u') {
                for (int i = 0; i < 4; i++) {
                    if (++p >= end) return NULL;
                    char h = *p;
                    if (!(is_digit(h) || (h >= 'a' && h <= 'f') || (h >= 'A' && h <= 'F')))
                        return NULL;
                }
            } else if (!strchr("\"\\/bfnrt", *p)) {
                return NULL;
            }
        }
    }
    return NULL;
}

static const char *skip_number(const char *p, const char *end) {
    if (p < end && *p == '-') p++;
    if (p >= end || !is_digit(*p)) return NULL;
    if (*p == '0') p++;
    else while (p < end && is_digit(*p)) p++;
    if (p < end && *p == '.') {
        if (++p >= end || !is_digit(*p)) return NULL;
        while (p < end && is_digit(*p)) p++;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-')) p++;
        if (p >= end || !is_digit(*p)) return NULL;
        while (p < end && is_digit(*p)) p++;
    }
    return p;
}

static const char *skip_word(const char *p, const char *end, const char *word) {
    size_t n = strlen(word);
    return (size_t)(end - p) >= n && memcmp(p, word, n) == 0 ? p + n : NULL;
}

static const char *skip(const char *p, const char *end, int depth) {
    p = ws(p, end);
    if (p >= end || depth > MAX_DEPTH) return NULL;
    switch (*p) {
    case '"': return skip_string(p, end);
    case 't': return skip_word(p, end, "true");
    case 'f': return skip_word(p, end, "false");
    case 'n': return skip_word(p, end, "null");
    case '[':
    case '{': {
        char close = *p == '[' ? ']' : '}';
        bool object = *p == '{';
        p = ws(p + 1, end);
        if (p < end && *p == close) return p + 1;
        for (;;) {
            if (object) {
                p = ws(p, end);
                if (p >= end || *p != '"' || !(p = skip_string(p, end))) return NULL;
                p = ws(p, end);
                if (p >= end || *p++ != ':') return NULL;
            }
            if (!(p = skip(p, end, depth + 1))) return NULL;
            p = ws(p, end);
            if (p >= end) return NULL;
            if (*p == close) return p + 1;
            if (*p++ != ',') return NULL;
        }
    }
    default: return skip_number(p, end);
    }
}

const char *json_skip(const char *p, const char *end) { return skip(p, end, 0); }

bool json_parse(const char *p, size_t n, span *out) {
    const char *end = p + n, *start = ws(p, end), *after = json_skip(start, end);
    if (!after || ws(after, end) != end) return false;
    *out = (span){start, (size_t)(after - start)};
    return true;
}

bool json_get(span v, const char *key, span *out) {
    const char *p = v.p, *end = v.p + v.n;
    size_t klen = strlen(key);
    if (!p || v.n < 2 || *p != '{') return false;
    p = ws(p + 1, end);
    while (p < end && *p == '"') {
        const char *k = p + 1, *kend = skip_string(p, end) - 1;
        p = ws(kend + 1, end) + 1; /* past the closing quote and the colon */
        const char *vstart = ws(p, end), *vend = json_skip(vstart, end);
        if ((size_t)(kend - k) == klen && memcmp(k, key, klen) == 0) {
            *out = (span){vstart, (size_t)(vend - vstart)};
            return true;
        }
        p = ws(vend, end);
        if (*p == ',') p = ws(p + 1, end);
    }
    return false;
}

long json_len(span v) {
    if (!v.p || v.n < 2 || *v.p != '[') return -1;
    const char *p = ws(v.p + 1, v.p + v.n), *end = v.p + v.n;
    if (*p == ']') return 0;
    long n = 0;
    while (p < end) {
        p = ws(json_skip(p, end), end);
        n++;
        if (*p != ',') break;
        p++;
    }
    return n;
}

bool json_at(span v, long i, span *out) {
    if (i < 0 || i >= json_len(v)) return false;
    const char *p = v.p + 1, *end = v.p + v.n;
    for (;; i--) {
        const char *start = ws(p, end), *after = json_skip(start, end);
        if (i == 0) {
            *out = (span){start, (size_t)(after - start)};
            return true;
        }
        p = ws(after, end) + 1; /* past the comma */
    }
}

bool json_int(span v, long long *out) {
    const char *p = v.p, *end = v.p + v.n;
    bool neg = p < end && *p == '-';
    if (neg) p++;
    if (p >= end) return false;
    unsigned long long mag = 0;
    for (; p < end; p++) {
        if (!is_digit(*p)) return false;
        unsigned d = (unsigned)(*p - '0');
        if (mag > (ULLONG_MAX - d) / 10) return false;
        mag = mag * 10 + d;
    }
    if (neg ? mag > (unsigned long long)LLONG_MAX + 1 : mag > LLONG_MAX) return false;
    *out = neg ? (long long)(0 - mag) : (long long)mag;
    return true;
}

bool json_str_eq(span v, const char *s) {
    size_t n = strlen(s);
    return v.p && v.n == n + 2 && v.p[0] == '"' && memcmp(v.p + 1, s, n) == 0;
}
