/* servicecoach.quality.engine._native: the compiled core of the auto-QA engine (optional).

   parse_conversations(lines) reads a chunk of conversation-v1 JSON Lines records (bytes, one
   record each, as readers.iter_jsonl_raw yields them) straight into the columns of the batched
   evaluator: every message's text (a str), role code, text length, time and end time. No dict,
   no Message object is made for a record it accepts.

   It accepts only the common shape, and only records that are certainly valid JSON and a valid
   conversation: anything else (an unknown message field, "at" or "started_at" times, an object
   for agent or customer, an escaped surrogate, a number of more than 15 integer digits or a
   3-digit exponent, nesting deeper than 64, a duplicate field, a null where a value is expected,
   any error at all) is NOT accepted, and the caller hands that record to the Python reader
   (readers.parse_jsonl_line), which decides and explains exactly as it always did. Accepting
   less is always safe; accepting more than orjson + readers._validate would is a bug, which the
   tests (tests/quality/engine/test_native*.py) look for.

   Accepted record: an object with
     "id": non-empty string (required)     "source": string or null
     "channel": chat|call|email|social or null
     "agent", "customer": string or null   "started_at": null
     "labels": object or null (only its span is returned: the caller decodes it with orjson)
     "messages": non-empty array of objects with "role" (customer|agent|bot|system), "text"
        (string), optional "offset" and "end" (numbers >= 0, end >= offset when both)
     any other field: any valid JSON value (ignored, as the Python reader ignores it)

   Plain CPython C API, C99. See docs/qa-rules.md ("speed and the evaluators"). */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#define MAX_DEPTH 64
#define MAX_INT_DIGITS 15

typedef struct {
    const unsigned char *p;
    const unsigned char *end;
    const unsigned char *base;
    char *buf; /* scratch for strings with escapes */
    Py_ssize_t buf_size;
    unsigned char max_lead; /* of the last string scanned: its highest byte, and how many */
    Py_ssize_t n_cont;      /* continuation bytes (10xxxxxx) it has */
} Parser;

/* growable C arrays for the columns */
typedef struct {
    char *data;
    Py_ssize_t len;  /* bytes used */
    Py_ssize_t cap;
} Buf;

static int buf_reserve(Buf *b, Py_ssize_t more) {
    if (b->len + more <= b->cap) return 0;
    Py_ssize_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + more) cap *= 2;
    char *d = PyMem_Realloc(b->data, (size_t)cap);
    if (!d) {
        PyErr_NoMemory();
        return -1;
    }
    b->data = d;
    b->cap = cap;
    return 0;
}

static int buf_add(Buf *b, const void *v, Py_ssize_t n) {
    if (buf_reserve(b, n) < 0) return -1;
    memcpy(b->data + b->len, v, (size_t)n);
    b->len += n;
    return 0;
}

/* results of the parsing functions: OK, REJECT (not accepted: the Python reader decides), ERROR
   (a Python exception is set: out of memory) */
#define OK 1
#define REJECT 0
#define ERROR (-1)

static inline void skip_ws(Parser *ps) {
    const unsigned char *p = ps->p, *e = ps->end;
    while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
    ps->p = p;
}

/* strict UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF) */
static int utf8_valid(const unsigned char *s, Py_ssize_t n) {
    Py_ssize_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        int more;
        unsigned char lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) more = 1;
        else if (c == 0xE0) { more = 2; lo = 0xA0; }
        else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) more = 2;
        else if (c == 0xED) { more = 2; hi = 0x9F; }
        else if (c == 0xF0) { more = 3; lo = 0x90; }
        else if (c >= 0xF1 && c <= 0xF3) more = 3;
        else if (c == 0xF4) { more = 3; hi = 0x8F; }
        else return 0;
        if (i + more >= n) return 0;
        if (s[i + 1] < lo || s[i + 1] > hi) return 0;
        for (int k = 2; k <= more; k++)
            if (s[i + k] < 0x80 || s[i + k] > 0xBF) return 0;
        i += more + 1;
    }
    return 1;
}

static inline int hexval(unsigned char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Scan a string at ps->p (which is at the opening quote). On OK: *lo to *hi is the raw body (between
   the quotes), *escaped whether it holds a backslash; the body's bytes are valid UTF-8 and its
   escapes valid, none of them a surrogate. */
static int scan_string(Parser *ps, const unsigned char **lo, const unsigned char **hi, int *escaped) {
    const unsigned char *p = ps->p + 1, *e = ps->end;
    int esc = 0, high = 0;
    unsigned char max_lead = 0;
    Py_ssize_t n_cont = 0;
    *lo = p;
    for (;;) {
        if (p >= e) return REJECT;
        unsigned char c = *p;
        if (c == '"') break;
        if (c < 0x20) return REJECT;
        if (c >= 0x80) {
            high = 1;
            if (c < 0xC0) n_cont++;
            else if (c > max_lead) max_lead = c;
            p++;
            continue;
        }
        if (c == '\\') {
            esc = 1;
            if (p + 1 >= e) return REJECT;
            unsigned char k = p[1];
            if (k == 'u') {
                if (p + 6 > e) return REJECT;
                int v = 0;
                for (int i = 2; i < 6; i++) {
                    int h = hexval(p[i]);
                    if (h < 0) return REJECT;
                    v = v * 16 + h;
                }
                if (v >= 0xD800 && v <= 0xDFFF) return REJECT; /* pairs and lone ones: Python decides */
                p += 6;
                continue;
            }
            if (k == '"' || k == '\\' || k == '/' || k == 'b' || k == 'f' || k == 'n' || k == 'r' || k == 't') {
                p += 2;
                continue;
            }
            return REJECT;
        }
        p++;
    }
    *hi = p;
    if (high && !utf8_valid(*lo, p - *lo)) return REJECT;
    *escaped = esc;
    ps->max_lead = max_lead;
    ps->n_cont = n_cont;
    ps->p = p + 1;
    return OK;
}

/* The str of valid UTF-8 without escapes, made in its final kind at once: the kind follows from
   the highest lead byte (no overlong forms: C2-C3 give U+0080-U+00FF, C4-EF the rest of the BMP,
   F0-F4 beyond it), the length from the continuation bytes. */
static PyObject *decode_utf8(const unsigned char *s, Py_ssize_t n, unsigned char max_lead, Py_ssize_t n_cont) {
    Py_UCS4 maxchar = max_lead == 0 ? 0x7F : max_lead < 0xC4 ? 0xFF : max_lead < 0xF0 ? 0xFFFF : 0x10FFFF;
    Py_ssize_t len = n - n_cont;
    PyObject *out = PyUnicode_New(len, maxchar);
    if (!out) return NULL;
    if (maxchar == 0x7F) {
        memcpy(PyUnicode_DATA(out), s, (size_t)n);
        return out;
    }
    int kind = PyUnicode_KIND(out);
    void *data = PyUnicode_DATA(out);
    Py_ssize_t i = 0, k = 0;
    while (i < n) {
        Py_UCS4 c = s[i];
        if (c < 0x80) {
            i += 1;
        } else if (c < 0xE0) {
            c = ((c & 0x1F) << 6) | (s[i + 1] & 0x3F);
            i += 2;
        } else if (c < 0xF0) {
            c = ((c & 0x0F) << 12) | ((Py_UCS4)(s[i + 1] & 0x3F) << 6) | (s[i + 2] & 0x3F);
            i += 3;
        } else {
            c = ((c & 0x07) << 18) | ((Py_UCS4)(s[i + 1] & 0x3F) << 12) | ((Py_UCS4)(s[i + 2] & 0x3F) << 6) |
                (s[i + 3] & 0x3F);
            i += 4;
        }
        PyUnicode_WRITE(kind, data, k, c);
        k++;
    }
    return out;
}

/* The str of a scanned string body. */
static PyObject *make_string(Parser *ps, const unsigned char *lo, const unsigned char *hi, int escaped) {
    if (!escaped) return decode_utf8(lo, hi - lo, ps->max_lead, ps->n_cont);
    Py_ssize_t need = hi - lo;
    if (need > ps->buf_size) {
        char *b = PyMem_Realloc(ps->buf, (size_t)need);
        if (!b) return PyErr_NoMemory();
        ps->buf = b;
        ps->buf_size = need;
    }
    char *out = ps->buf;
    Py_ssize_t n = 0;
    const unsigned char *p = lo;
    while (p < hi) {
        unsigned char c = *p;
        if (c != '\\') {
            out[n++] = (char)c;
            p++;
            continue;
        }
        unsigned char k = p[1];
        switch (k) {
        case '"': out[n++] = '"'; break;
        case '\\': out[n++] = '\\'; break;
        case '/': out[n++] = '/'; break;
        case 'b': out[n++] = '\b'; break;
        case 'f': out[n++] = '\f'; break;
        case 'n': out[n++] = '\n'; break;
        case 'r': out[n++] = '\r'; break;
        case 't': out[n++] = '\t'; break;
        case 'u': {
            int v = (hexval(p[2]) << 12) | (hexval(p[3]) << 8) | (hexval(p[4]) << 4) | hexval(p[5]);
            if (v < 0x80) {
                out[n++] = (char)v;
            } else if (v < 0x800) {
                out[n++] = (char)(0xC0 | (v >> 6));
                out[n++] = (char)(0x80 | (v & 0x3F));
            } else {
                out[n++] = (char)(0xE0 | (v >> 12));
                out[n++] = (char)(0x80 | ((v >> 6) & 0x3F));
                out[n++] = (char)(0x80 | (v & 0x3F));
            }
            p += 6;
            continue;
        }
        }
        p += 2;
    }
    return PyUnicode_DecodeUTF8(out, n, "strict");
}

/* A JSON number at ps->p. Integers of up to 15 digits and exponents of up to 2 digits only (the
   value is then exact or correctly rounded, and finite). *value is what float(orjson.loads(...))
   gives; *integer whether it is written as an integer. */
static int scan_number(Parser *ps, double *value, int *integer) {
    const unsigned char *p = ps->p, *e = ps->end, *start = p;
    int neg = 0, digits = 0, is_int = 1;
    int64_t iv = 0;
    if (p < e && *p == '-') {
        neg = 1;
        p++;
    }
    if (p >= e) return REJECT;
    if (*p == '0') {
        p++;
        digits = 1;
    } else if (*p >= '1' && *p <= '9') {
        while (p < e && *p >= '0' && *p <= '9') {
            iv = iv * 10 + (*p - '0');
            p++;
            if (++digits > MAX_INT_DIGITS) return REJECT;
        }
    } else {
        return REJECT;
    }
    if (p < e && *p == '.') {
        is_int = 0;
        p++;
        if (p >= e || *p < '0' || *p > '9') return REJECT;
        while (p < e && *p >= '0' && *p <= '9') p++;
    }
    if (p < e && (*p == 'e' || *p == 'E')) {
        is_int = 0;
        p++;
        if (p < e && (*p == '+' || *p == '-')) p++;
        int ed = 0;
        while (p < e && *p >= '0' && *p <= '9') {
            p++;
            ed++;
        }
        if (ed == 0 || ed > 2) return REJECT;
    }
    if (p - start > 40) return REJECT;
    ps->p = p;
    *integer = is_int;
    if (value == NULL) return OK;
    if (is_int) {
        /* orjson gives an int, and float(int) is exact here (at most 15 digits): -0 is 0.0 */
        *value = neg ? -(double)iv : (double)iv;
        if (*value == 0.0) *value = 0.0;
        return OK;
    }
    char tmp[128];
    Py_ssize_t len = p - start;
    char *text = tmp, *heap = NULL;
    if (len >= (Py_ssize_t)sizeof(tmp)) {
        heap = PyMem_Malloc((size_t)len + 1);
        if (!heap) {
            PyErr_NoMemory();
            return ERROR;
        }
        text = heap;
    }
    memcpy(text, start, (size_t)len);
    text[len] = 0;
    char *stop = NULL;
    double v = PyOS_string_to_double(text, &stop, NULL); /* correctly rounded, locale-independent */
    int ok = !(v == -1.0 && PyErr_Occurred()) && stop == text + len;
    if (heap) PyMem_Free(heap);
    if (PyErr_Occurred()) {
        PyErr_Clear();
        return REJECT;
    }
    if (!ok || !isfinite(v)) return REJECT;
    *value = v;
    return OK;
}

static int skip_value(Parser *ps, int depth);

static int skip_container(Parser *ps, int depth, unsigned char close) {
    if (depth > MAX_DEPTH) return REJECT;
    ps->p++;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == close) {
        ps->p++;
        return OK;
    }
    for (;;) {
        if (close == '}') {
            const unsigned char *lo, *hi;
            int esc, r;
            if (ps->p >= ps->end || *ps->p != '"') return REJECT;
            if ((r = scan_string(ps, &lo, &hi, &esc)) != OK) return r;
            skip_ws(ps);
            if (ps->p >= ps->end || *ps->p != ':') return REJECT;
            ps->p++;
            skip_ws(ps);
        }
        int r = skip_value(ps, depth + 1);
        if (r != OK) return r;
        skip_ws(ps);
        if (ps->p >= ps->end) return REJECT;
        if (*ps->p == ',') {
            ps->p++;
            skip_ws(ps);
            continue;
        }
        if (*ps->p == close) {
            ps->p++;
            return OK;
        }
        return REJECT;
    }
}

static int skip_literal(Parser *ps, const char *word, Py_ssize_t n) {
    if (ps->end - ps->p < n || memcmp(ps->p, word, (size_t)n) != 0) return REJECT;
    ps->p += n;
    return OK;
}

/* Check (and step over) any JSON value. */
static int skip_value(Parser *ps, int depth) {
    if (ps->p >= ps->end) return REJECT;
    unsigned char c = *ps->p;
    if (c == '"') {
        const unsigned char *lo, *hi;
        int esc;
        return scan_string(ps, &lo, &hi, &esc);
    }
    if (c == '{') return skip_container(ps, depth, '}');
    if (c == '[') return skip_container(ps, depth, ']');
    if (c == 't') return skip_literal(ps, "true", 4);
    if (c == 'f') return skip_literal(ps, "false", 5);
    if (c == 'n') return skip_literal(ps, "null", 4);
    int integer;
    double v;
    return scan_number(ps, &v, &integer);
}

static int is_null(Parser *ps) {
    if (ps->end - ps->p >= 4 && memcmp(ps->p, "null", 4) == 0) {
        ps->p += 4;
        return 1;
    }
    return 0;
}

/* a key, unescaped: matched against the known names by its raw bytes */
static int scan_key(Parser *ps, const unsigned char **lo, Py_ssize_t *len, int *escaped) {
    const unsigned char *hi;
    if (ps->p >= ps->end || *ps->p != '"') return REJECT;
    int r = scan_string(ps, lo, &hi, escaped);
    if (r != OK) return r;
    *len = hi - *lo;
    skip_ws(ps);
    if (ps->p >= ps->end || *ps->p != ':') return REJECT;
    ps->p++;
    skip_ws(ps);
    return OK;
}

#define KEY_IS(lo, len, s) ((len) == (Py_ssize_t)(sizeof(s) - 1) && memcmp((lo), (s), sizeof(s) - 1) == 0)

/* after a member: ',' (then *more = 1) or the closing brace/bracket */
static int next_member(Parser *ps, unsigned char close, int *more) {
    skip_ws(ps);
    if (ps->p >= ps->end) return REJECT;
    if (*ps->p == ',') {
        ps->p++;
        skip_ws(ps);
        *more = 1;
        return OK;
    }
    if (*ps->p == close) {
        ps->p++;
        *more = 0;
        return OK;
    }
    return REJECT;
}

typedef struct {
    PyObject *texts; /* list of str */
    Buf role;        /* int8 */
    Buf length;      /* int64 */
    Buf time;        /* float64, NaN when absent */
    Buf end;         /* float64, NaN when absent */
} Columns;

static const char *ROLE_NAMES[] = {"customer", "agent", "bot", "system"};
static const char *CHANNEL_NAMES[] = {"chat", "call", "email", "social"};
static PyObject *CHANNEL_STR[4];
static PyObject *DEFAULT_SOURCE;

static int name_code(const unsigned char *lo, Py_ssize_t len, const char **names, int count) {
    for (int i = 0; i < count; i++)
        if ((Py_ssize_t)strlen(names[i]) == len && memcmp(lo, names[i], (size_t)len) == 0) return i;
    return -1;
}

/* one message object into the columns */
static int parse_message(Parser *ps, Columns *cols) {
    if (ps->p >= ps->end || *ps->p != '{') return REJECT;
    ps->p++;
    skip_ws(ps);
    int role = -1, have_text = 0, have_offset = 0, have_end = 0, more = 1, r;
    double offset = NAN, end = NAN;
    PyObject *text = NULL;
    if (ps->p < ps->end && *ps->p == '}') return REJECT; /* no role, no text */
    while (more) {
        const unsigned char *klo;
        Py_ssize_t klen;
        int kesc;
        if ((r = scan_key(ps, &klo, &klen, &kesc)) != OK) goto fail;
        if (kesc) { r = REJECT; goto fail; }
        if (KEY_IS(klo, klen, "role")) {
            const unsigned char *lo, *hi;
            int esc;
            if (role >= 0 || ps->p >= ps->end || *ps->p != '"') { r = REJECT; goto fail; }
            if ((r = scan_string(ps, &lo, &hi, &esc)) != OK) goto fail;
            role = esc ? -1 : name_code(lo, hi - lo, ROLE_NAMES, 4);
            if (role < 0) { r = REJECT; goto fail; }
        } else if (KEY_IS(klo, klen, "text")) {
            const unsigned char *lo, *hi;
            int esc;
            if (have_text || ps->p >= ps->end || *ps->p != '"') { r = REJECT; goto fail; }
            if ((r = scan_string(ps, &lo, &hi, &esc)) != OK) goto fail;
            text = make_string(ps, lo, hi, esc);
            if (!text) { r = ERROR; goto fail; }
            have_text = 1;
        } else if (KEY_IS(klo, klen, "offset") || KEY_IS(klo, klen, "end")) {
            int is_offset = klen == 6, integer;
            double v;
            if (is_offset ? have_offset : have_end) { r = REJECT; goto fail; }
            if (ps->p >= ps->end || !(*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9'))) { r = REJECT; goto fail; }
            if ((r = scan_number(ps, &v, &integer)) != OK) goto fail;
            if (!(v >= 0.0)) { r = REJECT; goto fail; }
            if (is_offset) { offset = v; have_offset = 1; }
            else { end = v; have_end = 1; }
        } else {
            r = REJECT; /* "at", "agent_id", anything else: the Python reader */
            goto fail;
        }
        if ((r = next_member(ps, '}', &more)) != OK) goto fail;
    }
    if (role < 0 || !have_text) { r = REJECT; goto fail; }
    if (have_offset && have_end && end < offset) { r = REJECT; goto fail; }
    {
        int8_t code = (int8_t)role;
        int64_t len = PyUnicode_GET_LENGTH(text);
        if (buf_add(&cols->role, &code, 1) < 0 || buf_add(&cols->length, &len, 8) < 0 ||
            buf_add(&cols->time, &offset, 8) < 0 || buf_add(&cols->end, &end, 8) < 0 ||
            PyList_Append(cols->texts, text) < 0) {
            r = ERROR;
            goto fail;
        }
    }
    Py_DECREF(text);
    return OK;
fail:
    Py_XDECREF(text);
    return r;
}

/* one record; on OK *meta is (id, source, channel, agent, customer, labels_start, labels_end) and
   the messages are in the columns */
static int parse_record(Parser *ps, Columns *cols, PyObject **meta) {
    PyObject *id = NULL, *source = NULL, *agent = NULL, *customer = NULL;
    int channel = 0, r = REJECT, more = 1, n_messages = 0;
    unsigned seen = 0;
    Py_ssize_t labels_lo = -1, labels_hi = -1;
    skip_ws(ps);
    if (ps->p >= ps->end || *ps->p != '{') return REJECT;
    ps->p++;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == '}') return REJECT;
    while (more) {
        const unsigned char *klo;
        Py_ssize_t klen;
        int kesc;
        unsigned bit = 0;
        if ((r = scan_key(ps, &klo, &klen, &kesc)) != OK) goto fail;
        if (kesc) {
            /* an escaped key may spell a known field: the Python reader */
            r = REJECT;
            goto fail;
        }
        if (KEY_IS(klo, klen, "id")) bit = 1;
        else if (KEY_IS(klo, klen, "source")) bit = 2;
        else if (KEY_IS(klo, klen, "channel")) bit = 4;
        else if (KEY_IS(klo, klen, "agent")) bit = 8;
        else if (KEY_IS(klo, klen, "customer")) bit = 16;
        else if (KEY_IS(klo, klen, "labels")) bit = 32;
        else if (KEY_IS(klo, klen, "messages")) bit = 64;
        else if (KEY_IS(klo, klen, "started_at")) bit = 128;
        if (bit & seen) { r = REJECT; goto fail; } /* a duplicate field: the Python reader */
        seen |= bit;
        const unsigned char *lo, *hi;
        int esc;
        switch (bit) {
        case 1:
        case 2:
        case 8:
        case 16: {
            PyObject **slot = bit == 1 ? &id : bit == 2 ? &source : bit == 8 ? &agent : &customer;
            if (bit != 1 && is_null(ps)) break;
            if (ps->p >= ps->end || *ps->p != '"') { r = REJECT; goto fail; }
            if ((r = scan_string(ps, &lo, &hi, &esc)) != OK) goto fail;
            if (bit == 1 && hi == lo) { r = REJECT; goto fail; }
            *slot = make_string(ps, lo, hi, esc);
            if (!*slot) { r = ERROR; goto fail; }
            break;
        }
        case 4:
            if (is_null(ps)) break;
            if (ps->p >= ps->end || *ps->p != '"') { r = REJECT; goto fail; }
            if ((r = scan_string(ps, &lo, &hi, &esc)) != OK) goto fail;
            channel = esc ? -1 : name_code(lo, hi - lo, CHANNEL_NAMES, 4);
            if (channel < 0) { r = REJECT; goto fail; }
            break;
        case 32:
            if (is_null(ps)) break;
            if (ps->p >= ps->end || *ps->p != '{') { r = REJECT; goto fail; }
            labels_lo = ps->p - ps->base;
            if ((r = skip_value(ps, 1)) != OK) goto fail;
            labels_hi = ps->p - ps->base;
            break;
        case 64: {
            if (ps->p >= ps->end || *ps->p != '[') { r = REJECT; goto fail; }
            ps->p++;
            skip_ws(ps);
            if (ps->p < ps->end && *ps->p == ']') { r = REJECT; goto fail; } /* must be non-empty */
            int more_messages = 1;
            while (more_messages) {
                if ((r = parse_message(ps, cols)) != OK) goto fail;
                n_messages++;
                if ((r = next_member(ps, ']', &more_messages)) != OK) goto fail;
            }
            break;
        }
        case 128:
            if (!is_null(ps)) { r = REJECT; goto fail; }
            break;
        default:
            if ((r = skip_value(ps, 1)) != OK) goto fail;
        }
        if ((r = next_member(ps, '}', &more)) != OK) goto fail;
    }
    skip_ws(ps);
    if (ps->p != ps->end || id == NULL || n_messages == 0) { r = REJECT; goto fail; }
    if (source == NULL || PyUnicode_GET_LENGTH(source) == 0) {
        Py_XDECREF(source);
        source = Py_NewRef(DEFAULT_SOURCE);
    }
    *meta = Py_BuildValue("(NNONNnni)", id, source, CHANNEL_STR[channel], agent ? agent : Py_NewRef(Py_None),
                          customer ? customer : Py_NewRef(Py_None), labels_lo, labels_hi, n_messages);
    return *meta ? OK : ERROR;
fail:
    Py_XDECREF(id);
    Py_XDECREF(source);
    Py_XDECREF(agent);
    Py_XDECREF(customer);
    return r;
}

static PyObject *bytes_of(Buf *b) {
    return PyByteArray_FromStringAndSize(b->data ? b->data : "", b->len);
}

PyDoc_STRVAR(parse_conversations_doc,
"parse_conversations(lines) -> (accepted, metas, texts, roles, lengths, times, ends)\n\n"
"Read a list of conversation-v1 JSON Lines records (bytes) into columns. ``accepted`` is a\n"
"bytearray, 1 for each record read here and 0 for each left to the Python reader; ``metas`` a\n"
"tuple per accepted record: (id, source, channel, agent id, customer id, labels start, labels\n"
"end, number of messages), the labels' span in the record's bytes (-1 when none). The messages of\n"
"the accepted records, in order: ``texts`` (list of str) and bytearrays of int8 role codes\n"
"(customer 0, agent 1, bot 2, system 3), int64 text lengths, float64 times and end times (NaN\n"
"when absent).");

static PyObject *parse_conversations(PyObject *self, PyObject *arg) {
    (void)self;
    PyObject *seq = PySequence_Fast(arg, "parse_conversations: expected a list of bytes");
    if (!seq) return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    Columns cols = {0};
    Parser ps = {0};
    PyObject *metas = NULL, *accepted = NULL, *result = NULL;
    cols.texts = PyList_New(0);
    metas = PyList_New(0);
    accepted = PyByteArray_FromStringAndSize(NULL, n);
    if (!cols.texts || !metas || !accepted) goto done;
    char *acc = PyByteArray_AS_STRING(accepted);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *item = PySequence_Fast_GET_ITEM(seq, i);
        acc[i] = 0;
        if (!PyBytes_Check(item)) {
            PyErr_SetString(PyExc_TypeError, "parse_conversations: expected a list of bytes");
            goto done;
        }
        ps.base = ps.p = (const unsigned char *)PyBytes_AS_STRING(item);
        ps.end = ps.base + PyBytes_GET_SIZE(item);
        Py_ssize_t n_texts = PyList_GET_SIZE(cols.texts);
        Py_ssize_t marks[4] = {cols.role.len, cols.length.len, cols.time.len, cols.end.len};
        PyObject *meta = NULL;
        int r = parse_record(&ps, &cols, &meta);
        if (r == ERROR) goto done;
        if (r == OK) {
            int failed = PyList_Append(metas, meta);
            Py_DECREF(meta);
            if (failed < 0) goto done;
            acc[i] = 1;
            continue;
        }
        /* not accepted: drop what its messages added */
        if (PyList_SetSlice(cols.texts, n_texts, PyList_GET_SIZE(cols.texts), NULL) < 0) goto done;
        cols.role.len = marks[0];
        cols.length.len = marks[1];
        cols.time.len = marks[2];
        cols.end.len = marks[3];
    }
    result = Py_BuildValue("(OONNNNN)", accepted, metas, Py_NewRef(cols.texts), bytes_of(&cols.role),
                           bytes_of(&cols.length), bytes_of(&cols.time), bytes_of(&cols.end));
done:
    Py_DECREF(seq);
    Py_XDECREF(cols.texts);
    Py_XDECREF(metas);
    Py_XDECREF(accepted);
    PyMem_Free(cols.role.data);
    PyMem_Free(cols.length.data);
    PyMem_Free(cols.time.data);
    PyMem_Free(cols.end.data);
    PyMem_Free(ps.buf);
    return result;
}

#if PY_VERSION_HEX < 0x030D0000
#define HAVE_CLAUSE_TABLE 1

typedef struct {
    Py_UCS4 *store;     /* the distinct normalised clauses, one after another */
    Py_ssize_t used, cap;
    int64_t *where;     /* per distinct clause: its start in store and its length */
    int64_t *size;
    int64_t *id;        /* per distinct clause: the index of its first occurrence (its id) */
    Py_ssize_t count, room;
    int32_t *slots;     /* open addressing: index of a distinct clause, -1 empty */
    Py_ssize_t n_slots;
} Interner;

static uint64_t hash_ucs4(const Py_UCS4 *s, Py_ssize_t n) {
    uint64_t h = 1469598103934665603ULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 1099511628211ULL;
    }
    return h ^ (uint64_t)n;
}

static int interner_grow_slots(Interner *t) {
    Py_ssize_t n = t->n_slots ? t->n_slots * 2 : 1024;
    int32_t *slots = PyMem_Malloc(sizeof(int32_t) * (size_t)n);
    if (!slots) return -1;
    for (Py_ssize_t i = 0; i < n; i++) slots[i] = -1;
    for (Py_ssize_t k = 0; k < t->count; k++) {
        uint64_t h = hash_ucs4(t->store + t->where[k], t->size[k]);
        Py_ssize_t i = (Py_ssize_t)(h & (uint64_t)(n - 1));
        while (slots[i] >= 0) i = (i + 1) & (n - 1);
        slots[i] = (int32_t)k;
    }
    PyMem_Free(t->slots);
    t->slots = slots;
    t->n_slots = n;
    return 0;
}

/* the id of the clause s[0:n] (which is at the end of t->store, just written there): an earlier
   equal one's, or ``fresh`` (as the Python path's table.setdefault(norm, index) gives) */
static int64_t intern_last(Interner *t, Py_ssize_t at, Py_ssize_t n, int64_t fresh) {
    if (2 * (t->count + 1) > t->n_slots && interner_grow_slots(t) < 0) return -1;
    const Py_UCS4 *s = t->store + at;
    uint64_t h = hash_ucs4(s, n);
    Py_ssize_t i = (Py_ssize_t)(h & (uint64_t)(t->n_slots - 1));
    while (t->slots[i] >= 0) {
        int32_t k = t->slots[i];
        if (t->size[k] == n && memcmp(t->store + t->where[k], s, sizeof(Py_UCS4) * (size_t)n) == 0) {
            t->used = at; /* drop the copy */
            return t->id[k];
        }
        i = (i + 1) & (t->n_slots - 1);
    }
    if (t->count == t->room) {
        Py_ssize_t room = t->room ? t->room * 2 : 1024;
        int64_t *w = PyMem_Realloc(t->where, sizeof(int64_t) * (size_t)room);
        if (!w) return -1;
        t->where = w;
        int64_t *z = PyMem_Realloc(t->size, sizeof(int64_t) * (size_t)room);
        if (!z) return -1;
        t->size = z;
        int64_t *d = PyMem_Realloc(t->id, sizeof(int64_t) * (size_t)room);
        if (!d) return -1;
        t->id = d;
        t->room = room;
    }
    t->where[t->count] = at;
    t->size[t->count] = n;
    t->id[t->count] = fresh;
    t->slots[i] = (int32_t)t->count++;
    return fresh;
}

static int store_reserve(Interner *t, Py_ssize_t more) {
    if (t->used + more <= t->cap) return 0;
    Py_ssize_t cap = t->cap ? t->cap : 4096;
    while (cap < t->used + more) cap *= 2;
    Py_UCS4 *d = PyMem_Realloc(t->store, sizeof(Py_UCS4) * (size_t)cap);
    if (!d) return -1;
    t->store = d;
    t->cap = cap;
    return 0;
}

PyDoc_STRVAR(clause_table_doc,
"clause_table(lines, marks) -> (run_lo, run_hi, norm, norm_len) or None\n\n"
"The clause table of the repeat rules (batch._Batch.clauses) in one pass over ``lines``: the runs\n"
"of clause marks (characters of ``marks``, all in the BMP) as int64 start and end (exclusive)\n"
"positions, and per clause (the text before, between and after the runs) the id of its normalised\n"
"text (its str.isalnum characters, lower-cased as str.lower does: equal ids for equal texts,\n"
"the index of its first appearance) and that text's length, all as bytes. None when a capital sigma\n"
"(whose lower case depends on its neighbours) is among the kept characters: the caller then\n"
"normalises in Python.");

static PyObject *clause_table(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *lines, *marks;
    if (!PyArg_ParseTuple(args, "UU:clause_table", &lines, &marks)) return NULL;
    static unsigned char is_mark[0x10000 / 8];
    memset(is_mark, 0, sizeof(is_mark));
    Py_ssize_t nm = PyUnicode_GET_LENGTH(marks);
    for (Py_ssize_t i = 0; i < nm; i++) {
        Py_UCS4 c = PyUnicode_READ_CHAR(marks, i);
        if (c > 0xFFFF) {
            PyErr_SetString(PyExc_ValueError, "clause_table: marks must be in the BMP");
            return NULL;
        }
        is_mark[c >> 3] |= (unsigned char)(1u << (c & 7));
    }
    int kind = PyUnicode_KIND(lines);
    const void *data = PyUnicode_DATA(lines);
    Py_ssize_t n = PyUnicode_GET_LENGTH(lines);
    Buf lo = {0}, hi = {0}, norm = {0}, norm_len = {0};
    Interner t = {0};
    PyObject *result = NULL;
    int in_run = 0, sigma = 0;
    Py_ssize_t clause_at = 0; /* where the clause being read starts in t.store */
    for (Py_ssize_t i = 0; i <= n; i++) {
        Py_UCS4 c = i < n ? PyUnicode_READ(kind, data, i) : 0;
        int mark = i < n && c <= 0xFFFF && (is_mark[c >> 3] >> (c & 7)) & 1;
        if (i == n || (mark && !in_run)) { /* the end of a clause */
            Py_ssize_t len = t.used - clause_at;
            int64_t id = intern_last(&t, clause_at, len, (int64_t)(norm.len / 8)), size = len;
            if (id < 0) {
                PyErr_NoMemory();
                goto done;
            }
            if (buf_add(&norm, &id, 8) < 0 || buf_add(&norm_len, &size, 8) < 0) goto done;
            clause_at = t.used;
            if (i == n) break;
            int64_t at = i;
            if (buf_add(&lo, &at, 8) < 0) goto done;
            in_run = 1;
            continue;
        }
        if (mark) continue;
        if (in_run) {
            int64_t at = i;
            if (buf_add(&hi, &at, 8) < 0) goto done;
            in_run = 0;
        }
        if (!Py_UNICODE_ISALNUM(c)) continue;
        if (store_reserve(&t, 3) < 0) {
            PyErr_NoMemory();
            goto done;
        }
        if (c < 0x80) {
            t.store[t.used++] = (c >= 'A' && c <= 'Z') ? c + 32 : c;
        } else {
            if (c == 0x3A3) sigma = 1;
            Py_UCS4 low[3];
            int k = _PyUnicode_ToLowerFull(c, low);
            for (int j = 0; j < k; j++) t.store[t.used++] = low[j];
        }
    }
    if (in_run) {
        int64_t at = n;
        if (buf_add(&hi, &at, 8) < 0) goto done;
    }
    if (sigma) {
        result = Py_NewRef(Py_None);
        goto done;
    }
    result = Py_BuildValue("(NNNN)", bytes_of(&lo), bytes_of(&hi), bytes_of(&norm), bytes_of(&norm_len));
done:
    PyMem_Free(lo.data);
    PyMem_Free(hi.data);
    PyMem_Free(norm.data);
    PyMem_Free(norm_len.data);
    PyMem_Free(t.store);
    PyMem_Free(t.where);
    PyMem_Free(t.size);
    PyMem_Free(t.id);
    PyMem_Free(t.slots);
    return result;
}
#endif

PyDoc_STRVAR(ac_scan_doc,
"ac_scan(text, root_next, edge_ptr, edge_cp, edge_child, fail, out, link, depth) -> (value, start)\n\n"
"Every occurrence (overlapping ones too) of the words of an Aho-Corasick automaton in ``text``, on\n"
"code points, in order of their end. The automaton is built in Python (native.Automaton) and\n"
"passed as int32 buffers: ``root_next`` (65,536 entries: the root's transition on each BMP\n"
"character, 0 for none), per node ``edge_ptr`` (nodes + 1 offsets into ``edge_cp``/``edge_child``,\n"
"sorted by code point), ``fail``, ``out`` (the value of the word ending there, or -1), ``link``\n"
"(the next node of the suffix chain with a word, or -1) and ``depth``. Returns bytes of int64:\n"
"each occurrence's value and start.");

static inline int32_t ac_child(const int32_t *ptr, const int32_t *cp, const int32_t *child, int32_t node, int32_t c) {
    int32_t lo = ptr[node], hi = ptr[node + 1];
    while (lo < hi) {
        int32_t mid = (lo + hi) >> 1;
        if (cp[mid] < c) lo = mid + 1;
        else hi = mid;
    }
    return (lo < ptr[node + 1] && cp[lo] == c) ? child[lo] : -1;
}

static PyObject *ac_scan(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *text;
    Py_buffer b[8];
    memset(b, 0, sizeof(b));
    if (!PyArg_ParseTuple(args, "Uy*y*y*y*y*y*y*y*:ac_scan", &text, &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &b[6],
                          &b[7]))
        return NULL;
    PyObject *result = NULL;
    Buf values = {0}, starts = {0};
    const int32_t *root_next = b[0].buf, *ptr = b[1].buf, *cp = b[2].buf, *child = b[3].buf, *fail = b[4].buf,
                  *out = b[5].buf, *link = b[6].buf, *depth = b[7].buf;
    Py_ssize_t nodes = b[4].len / 4;
    if (b[0].len != 0x10000 * 4 || b[1].len != (nodes + 1) * 4 || b[2].len != b[3].len || b[5].len != nodes * 4 ||
        b[6].len != nodes * 4 || b[7].len != nodes * 4 || nodes < 1) {
        PyErr_SetString(PyExc_ValueError, "ac_scan: inconsistent automaton tables");
        goto done;
    }
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    int32_t state = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 ch = PyUnicode_READ(kind, data, i);
        int32_t c = (int32_t)ch;
        for (;;) {
            if (state == 0) {
                if (ch < 0x10000) {
                    state = root_next[ch];
                } else {
                    int32_t next = ac_child(ptr, cp, child, 0, c);
                    state = next < 0 ? 0 : next;
                }
                break;
            }
            int32_t next = ac_child(ptr, cp, child, state, c);
            if (next >= 0) {
                state = next;
                break;
            }
            state = fail[state];
        }
        for (int32_t s = out[state] >= 0 ? state : link[state]; s >= 0; s = link[s]) {
            int64_t v = out[s], at = (int64_t)i + 1 - depth[s];
            if (buf_add(&values, &v, 8) < 0 || buf_add(&starts, &at, 8) < 0) goto done;
        }
    }
    result = Py_BuildValue("(NN)", bytes_of(&values), bytes_of(&starts));
done:
    for (int k = 0; k < 8; k++)
        if (b[k].obj) PyBuffer_Release(&b[k]);
    PyMem_Free(values.data);
    PyMem_Free(starts.data);
    return result;
}

static PyMethodDef methods[] = {
    {"parse_conversations", parse_conversations, METH_O, parse_conversations_doc},
    {"ac_scan", ac_scan, METH_VARARGS, ac_scan_doc},
#ifdef HAVE_CLAUSE_TABLE
    {"clause_table", clause_table, METH_VARARGS, clause_table_doc},
#endif
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "servicecoach.quality.engine._native",
    "The compiled core of the auto-QA engine (optional; the pure-Python engine is the fallback).", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__native(void) {
    for (int i = 0; i < 4; i++) {
        CHANNEL_STR[i] = PyUnicode_InternFromString(CHANNEL_NAMES[i]);
        if (!CHANNEL_STR[i]) return NULL;
    }
    DEFAULT_SOURCE = PyUnicode_InternFromString("default");
    if (!DEFAULT_SOURCE) return NULL;
    return PyModule_Create(&module);
}
