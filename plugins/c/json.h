/* A tiny JSON helper: it never builds a tree. A value is a span of the raw
 * input text; the functions skip over values to find members and elements.
 * Spans point into the caller's buffer, so they live as long as the line. */
#ifndef PLUGIN_JSON_H
#define PLUGIN_JSON_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    const char *p; /* first byte of the value, or NULL when absent */
    size_t n;      /* length in bytes */
} span;

/* Skips one JSON value starting at p (after whitespace); returns the byte
 * after it, or NULL if the text there is not valid JSON. */
const char *json_skip(const char *p, const char *end);

/* Parses a whole document: one value with only whitespace around it. */
bool json_parse(const char *p, size_t n, span *out);

/* The member `key` of an object (matched on its raw text, so keys with
 * escapes are not found). Returns false when v is not an object or lacks it. */
bool json_get(span v, const char *key, span *out);

/* The number of elements of an array, or -1 when v is not an array. */
long json_len(span v);

/* Element i of an array. */
bool json_at(span v, long i, span *out);

/* An integer without fraction or exponent that fits a long long. */
bool json_int(span v, long long *out);

/* Whether v is a string equal to `s` (raw text between the quotes). */
bool json_str_eq(span v, const char *s);

#endif
