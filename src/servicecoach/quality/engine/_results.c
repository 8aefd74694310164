/* servicecoach.quality.engine._results: the result lines of `qa run` written by C (optional).

   write_lines(...) takes what the batched evaluator gives for a chunk of conversations (the states
   matrix, each conversation's hits), the customer-emotion columns and the scorecard plan that
   results.py builds once per Inspector, and writes the chunk's JSON lines (each followed by "\n")
   byte for byte as orjson.dumps writes the result dicts of results.Inspector._inspect_json_batch,
   together with the chunk's summary counts of `qa run` (hits and conversations per rule, not
   applicable per rule, score bands, red lines).

   The scorecard is computed as scorecard._score_batch computes it with numpy: the same additions in
   the same order, IEEE doubles (no contraction is possible: no multiply feeds an addition). Floats
   are written as orjson writes them: Python's repr digits where orjson and repr agree (finite, zero
   or 1e-4 <= |x| < 1e16, fixed notation); any other float, and any value of an unexpected type,
   is handed to orjson.dumps itself. round(x, n) is Python's (correctly rounded: the 'f' format of
   PyOS_double_to_string, read back). A str with a lone surrogate raises TypeError, as orjson does.

   dumps_float / dumps_str / round_float expose the float and string writers to the tests.

   Plain CPython C API, C99. See docs/qa-rules.md ("speed and the evaluators"). */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

/* ------------------------------------------------------------------ output buffer (a bytes) */

typedef struct {
    PyObject *bytes; /* a bytes object used as a growable buffer */
    char *d;
    Py_ssize_t len;
    Py_ssize_t cap;
} Out;

static int out_init(Out *o, Py_ssize_t cap) {
    if (cap < 256) cap = 256;
    o->bytes = PyBytes_FromStringAndSize(NULL, cap);
    if (!o->bytes) return -1;
    o->d = PyBytes_AS_STRING(o->bytes);
    o->len = 0;
    o->cap = cap;
    return 0;
}

static int out_grow(Out *o, Py_ssize_t more) {
    Py_ssize_t cap = o->cap;
    while (cap < o->len + more) cap = cap + cap / 2 + 64;
    if (_PyBytes_Resize(&o->bytes, cap) < 0) return -1;
    o->d = PyBytes_AS_STRING(o->bytes);
    o->cap = cap;
    return 0;
}

#define RESERVE(o, n) (((o)->len + (n) <= (o)->cap) ? 0 : out_grow((o), (n)))

static inline int out_put(Out *o, const char *s, Py_ssize_t n) {
    if (RESERVE(o, n) < 0) return -1;
    memcpy(o->d + o->len, s, (size_t)n);
    o->len += n;
    return 0;
}

#define PUT_LIT(o, s) out_put((o), (s), (Py_ssize_t)(sizeof(s) - 1))

static PyObject *out_finish(Out *o) {
    if (_PyBytes_Resize(&o->bytes, o->len) < 0) return NULL;
    PyObject *b = o->bytes;
    o->bytes = NULL;
    return b;
}

/* ------------------------------------------------------------------ JSON values as orjson writes them */

static const char HEX[] = "0123456789abcdef";

/* a str as a JSON string: '"' and '\\' escaped, control characters as \b \t \n \f \r or \u00xx,
   everything else as UTF-8; a lone surrogate raises TypeError (orjson raises JSONEncodeError, a
   TypeError) */
/* one code point of a str into the JSON string at p; returns the new p, or NULL for a surrogate */
static inline unsigned char *put_cp(unsigned char *p, Py_UCS4 c) {
    if (c < 0x80) {
        if (c >= 0x20 && c != '"' && c != '\\') {
            *p++ = (unsigned char)c;
            return p;
        }
        *p++ = '\\';
        switch (c) {
        case '"': *p++ = '"'; break;
        case '\\': *p++ = '\\'; break;
        case '\b': *p++ = 'b'; break;
        case '\t': *p++ = 't'; break;
        case '\n': *p++ = 'n'; break;
        case '\f': *p++ = 'f'; break;
        case '\r': *p++ = 'r'; break;
        default:
            *p++ = 'u'; *p++ = '0'; *p++ = '0';
            *p++ = (unsigned char)HEX[c >> 4];
            *p++ = (unsigned char)HEX[c & 15];
        }
    } else if (c < 0x800) {
        *p++ = (unsigned char)(0xC0 | (c >> 6));
        *p++ = (unsigned char)(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        if (c >= 0xD800 && c <= 0xDFFF) return NULL;
        *p++ = (unsigned char)(0xE0 | (c >> 12));
        *p++ = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
        *p++ = (unsigned char)(0x80 | (c & 0x3F));
    } else {
        *p++ = (unsigned char)(0xF0 | (c >> 18));
        *p++ = (unsigned char)(0x80 | ((c >> 12) & 0x3F));
        *p++ = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
        *p++ = (unsigned char)(0x80 | (c & 0x3F));
    }
    return p;
}

/* a str as a JSON string: '"' and '\\' escaped, control characters as \b \t \n \f \r or \u00xx,
   everything else as UTF-8; a lone surrogate raises TypeError (orjson raises JSONEncodeError, a
   TypeError) */
static int put_str(Out *o, PyObject *s) {
    Py_ssize_t n = PyUnicode_GET_LENGTH(s);
    int kind = PyUnicode_KIND(s);
    const void *data = PyUnicode_DATA(s);
    if (RESERVE(o, n * 6 + 2) < 0) return -1;
    unsigned char *p = (unsigned char *)o->d + o->len;
    *p++ = '"';
    if (kind == PyUnicode_1BYTE_KIND) {
        const Py_UCS1 *u = data;
        for (Py_ssize_t i = 0; i < n; i++) {
            Py_UCS1 c = u[i];
            if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\')
                *p++ = c;
            else
                p = put_cp(p, c);
        }
    } else if (kind == PyUnicode_2BYTE_KIND) {
        const Py_UCS2 *u = data;
        for (Py_ssize_t i = 0; i < n && p; i++) p = put_cp(p, u[i]);
    } else {
        const Py_UCS4 *u = data;
        for (Py_ssize_t i = 0; i < n && p; i++) p = put_cp(p, u[i]);
    }
    if (!p) {
        PyErr_SetString(PyExc_TypeError, "str is not valid UTF-8: surrogates not allowed");
        return -1;
    }
    *p++ = '"';
    o->len = (Py_ssize_t)((char *)p - o->d);
    return 0;
}

static PyObject *DUMPS; /* orjson.dumps, for every value the writers below do not take */

static int put_dumped(Out *o, PyObject *value) {
    PyObject *b = PyObject_CallOneArg(DUMPS, value);
    if (!b) return -1;
    if (!PyBytes_Check(b)) {
        Py_DECREF(b);
        PyErr_SetString(PyExc_TypeError, "orjson.dumps did not return bytes");
        return -1;
    }
    int rc = out_put(o, PyBytes_AS_STRING(b), PyBytes_GET_SIZE(b));
    Py_DECREF(b);
    return rc;
}

static int put_int(Out *o, long long v) {
    char buf[24];
    char *end = buf + sizeof buf, *q = end;
    unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
    do {
        *--q = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) *--q = '-';
    return out_put(o, q, (Py_ssize_t)(end - q));
}

/* repr(x) when orjson writes the same: finite and in fixed notation; else 0 (nothing written to buf) */
static int float_text(double x, char *buf, int size) {
    if (x == 0.0) {
        if (signbit(x)) {
            memcpy(buf, "-0.0", 4);
            return 4;
        }
        memcpy(buf, "0.0", 3);
        return 3;
    }
    double ax = fabs(x);
    if (!(ax >= 1e-4 && ax < 1e16)) return 0; /* also NaN and infinities */
    char *s = PyOS_double_to_string(x, 'r', 0, Py_DTSF_ADD_DOT_0, NULL);
    if (!s) {
        PyErr_Clear();
        return 0;
    }
    int n = (int)strlen(s);
    if (n >= size || strpbrk(s, "eEni")) {
        PyMem_Free(s);
        return 0;
    }
    memcpy(buf, s, (size_t)n);
    PyMem_Free(s);
    return n;
}

static int put_float(Out *o, double x) {
    char buf[40];
    int n = float_text(x, buf, (int)sizeof buf);
    if (n > 0) return out_put(o, buf, n);
    PyObject *f = PyFloat_FromDouble(x);
    if (!f) return -1;
    int rc = put_dumped(o, f);
    Py_DECREF(f);
    return rc;
}

/* Python's round(x, nd) for a float: correctly rounded (as float.__round__) */
static double py_round(double x, int nd) {
    if (!isfinite(x) || x == 0.0) return x;
    char *s = PyOS_double_to_string(x, 'f', nd, 0, NULL);
    if (!s) {
        PyErr_Clear();
        return NAN; /* not expected; the caller checks */
    }
    double r = PyOS_string_to_double(s, NULL, NULL);
    PyMem_Free(s);
    if (r == -1.0 && PyErr_Occurred()) {
        PyErr_Clear();
        return NAN;
    }
    return r;
}

/* a value of a result dict: str, int, None, float exactly; anything else through orjson.dumps */
static int put_value(Out *o, PyObject *v) {
    if (v == Py_None) return PUT_LIT(o, "null");
    if (PyUnicode_CheckExact(v)) return put_str(o, v);
    if (PyLong_CheckExact(v)) {
        int overflow = 0;
        long long n = PyLong_AsLongLongAndOverflow(v, &overflow);
        if (!overflow && !(n == -1 && PyErr_Occurred())) return put_int(o, n);
        PyErr_Clear();
        return put_dumped(o, v);
    }
    if (PyFloat_CheckExact(v)) return put_float(o, PyFloat_AS_DOUBLE(v));
    return put_dumped(o, v);
}

/* ------------------------------------------------------------------ a float cache: round(x, nd) and its text */

#define CACHE_SIZE 1024

typedef struct {
    uint64_t key;
    int used;
    int len; /* 0: the text goes through orjson (put_float) */
    double value;
    char text[32];
} CacheEntry;

static uint64_t bits_of(double x) {
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

/* round(x, nd), through the cache; *entry is the cached text */
static CacheEntry *rounded(CacheEntry *cache, double x, int nd) {
    uint64_t key = bits_of(x);
    uint64_t h = key * 0x9E3779B97F4A7C15ull;
    CacheEntry *e = &cache[(h >> 40) & (CACHE_SIZE - 1)];
    if (e->used && e->key == key) return e;
    e->used = 1;
    e->key = key;
    e->value = py_round(x, nd);
    e->len = float_text(e->value, e->text, (int)sizeof e->text);
    return e;
}

static int put_cached(Out *o, CacheEntry *e) {
    if (e->len > 0) return out_put(o, e->text, e->len);
    return put_float(o, e->value);
}

/* ------------------------------------------------------------------ the scorecard plan */

typedef struct {
    int mode; /* 0 deduct, 1 award, 2 manual */
    double points;
    int bonus, red;
    Py_ssize_t ncols;
    Py_ssize_t *cols; /* matrix column of each rule; -1: the rule is not in the matrix (not applicable) */
    const char *rec[3]; /* the record when not applicable, applicable and not fired, fired (one rule only) */
    Py_ssize_t rec_len[3];
    const char *prefix; /* several rules, some fired: the record up to the list of fired rules */
    Py_ssize_t prefix_len;
    const char **rule_json;
    Py_ssize_t *rule_json_len;
} Item;

typedef struct {
    int lifts;
    Py_ssize_t lo, hi; /* its items */
} Section;

typedef struct {
    Py_ssize_t nitems, nsections, ngrades, nbands;
    Item *items;
    Section *sections;
    double *grade_min;
    const char **grade_json;
    Py_ssize_t *grade_len;
    double *band_min;
} Plan;

static void plan_free(Plan *p) {
    if (p->items) {
        for (Py_ssize_t k = 0; k < p->nitems; k++) {
            PyMem_Free(p->items[k].cols);
            PyMem_Free((void *)p->items[k].rule_json);
            PyMem_Free(p->items[k].rule_json_len);
        }
    }
    PyMem_Free(p->items);
    PyMem_Free(p->sections);
    PyMem_Free(p->grade_min);
    PyMem_Free((void *)p->grade_json);
    PyMem_Free(p->grade_len);
    PyMem_Free(p->band_min);
}

static int bytes_of(PyObject *b, const char **s, Py_ssize_t *n) {
    if (b == Py_None) {
        *s = NULL;
        *n = 0;
        return 0;
    }
    if (!PyBytes_Check(b)) {
        PyErr_SetString(PyExc_TypeError, "plan: expected bytes");
        return -1;
    }
    *s = PyBytes_AS_STRING(b);
    *n = PyBytes_GET_SIZE(b);
    return 0;
}

/* plan = (items, sections, grades, bands):
     items: tuple of (mode, points, bonus, red, cols, rec_na, rec_idle, rec_fired|None, prefix, rules_json)
     sections: tuple of (bonus_lifts, lo, hi)
     grades: tuple of (min, grade_json), highest min first
     bands: tuple of minimums (the score bands of qa run's summary) */
static int plan_parse(PyObject *obj, Plan *p) {
    memset(p, 0, sizeof *p);
    PyObject *items, *sections, *grades, *bands;
    if (!PyTuple_Check(obj) || !PyArg_ParseTuple(obj, "O!O!O!O!", &PyTuple_Type, &items, &PyTuple_Type, &sections,
                                                 &PyTuple_Type, &grades, &PyTuple_Type, &bands)) {
        if (!PyErr_Occurred()) PyErr_SetString(PyExc_TypeError, "plan: expected a tuple");
        return -1;
    }
    p->nitems = PyTuple_GET_SIZE(items);
    p->nsections = PyTuple_GET_SIZE(sections);
    p->ngrades = PyTuple_GET_SIZE(grades);
    p->nbands = PyTuple_GET_SIZE(bands);
    p->items = PyMem_Calloc((size_t)p->nitems + 1, sizeof(Item));
    p->sections = PyMem_Calloc((size_t)p->nsections + 1, sizeof(Section));
    p->grade_min = PyMem_Calloc((size_t)p->ngrades + 1, sizeof(double));
    p->grade_json = PyMem_Calloc((size_t)p->ngrades + 1, sizeof(char *));
    p->grade_len = PyMem_Calloc((size_t)p->ngrades + 1, sizeof(Py_ssize_t));
    p->band_min = PyMem_Calloc((size_t)p->nbands + 1, sizeof(double));
    if (!p->items || !p->sections || !p->grade_min || !p->grade_json || !p->grade_len || !p->band_min) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t k = 0; k < p->nitems; k++) {
        Item *it = &p->items[k];
        PyObject *cols, *rna, *ridle, *rfired, *prefix, *rules;
        if (!PyArg_ParseTuple(PyTuple_GET_ITEM(items, k), "idppO!SSOSO!", &it->mode, &it->points, &it->bonus, &it->red,
                              &PyTuple_Type, &cols, &rna, &ridle, &rfired, &prefix, &PyTuple_Type, &rules))
            return -1;
        if (it->mode < 0 || it->mode > 2) {
            PyErr_SetString(PyExc_ValueError, "plan: bad item mode");
            return -1;
        }
        it->ncols = PyTuple_GET_SIZE(cols);
        if (PyTuple_GET_SIZE(rules) != it->ncols) {
            PyErr_SetString(PyExc_ValueError, "plan: one JSON id per rule of an item");
            return -1;
        }
        it->cols = PyMem_Calloc((size_t)it->ncols + 1, sizeof(Py_ssize_t));
        it->rule_json = PyMem_Calloc((size_t)it->ncols + 1, sizeof(char *));
        it->rule_json_len = PyMem_Calloc((size_t)it->ncols + 1, sizeof(Py_ssize_t));
        if (!it->cols || !it->rule_json || !it->rule_json_len) {
            PyErr_NoMemory();
            return -1;
        }
        for (Py_ssize_t r = 0; r < it->ncols; r++) {
            it->cols[r] = PyLong_AsSsize_t(PyTuple_GET_ITEM(cols, r));
            if (it->cols[r] == -1 && PyErr_Occurred()) return -1;
            if (bytes_of(PyTuple_GET_ITEM(rules, r), &it->rule_json[r], &it->rule_json_len[r]) < 0) return -1;
        }
        if (bytes_of(rna, &it->rec[0], &it->rec_len[0]) < 0 || bytes_of(ridle, &it->rec[1], &it->rec_len[1]) < 0 ||
            bytes_of(rfired, &it->rec[2], &it->rec_len[2]) < 0 || bytes_of(prefix, &it->prefix, &it->prefix_len) < 0)
            return -1;
    }
    for (Py_ssize_t s = 0; s < p->nsections; s++) {
        Section *sec = &p->sections[s];
        if (!PyArg_ParseTuple(PyTuple_GET_ITEM(sections, s), "pnn", &sec->lifts, &sec->lo, &sec->hi)) return -1;
        if (sec->lo < 0 || sec->hi < sec->lo || sec->hi > p->nitems) {
            PyErr_SetString(PyExc_ValueError, "plan: bad section bounds");
            return -1;
        }
    }
    for (Py_ssize_t g = 0; g < p->ngrades; g++) {
        PyObject *gj;
        if (!PyArg_ParseTuple(PyTuple_GET_ITEM(grades, g), "dS", &p->grade_min[g], &gj)) return -1;
        p->grade_json[g] = PyBytes_AS_STRING(gj);
        p->grade_len[g] = PyBytes_GET_SIZE(gj);
    }
    for (Py_ssize_t b = 0; b < p->nbands; b++) {
        p->band_min[b] = PyFloat_AsDouble(PyTuple_GET_ITEM(bands, b));
        if (p->band_min[b] == -1.0 && PyErr_Occurred()) return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------ write_lines */

static PyObject *counts_list(const Py_ssize_t *a, Py_ssize_t n) {
    PyObject *l = PyList_New(n);
    if (!l) return NULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *v = PyLong_FromSsize_t(a[i]);
        if (!v) {
            Py_DECREF(l);
            return NULL;
        }
        PyList_SET_ITEM(l, i, v);
    }
    return l;
}

static int get_buffer(PyObject *obj, Py_buffer *view, Py_ssize_t itemsize, Py_ssize_t count, const char *what) {
    if (PyObject_GetBuffer(obj, view, PyBUF_C_CONTIGUOUS) < 0) return -1;
    if (view->len != itemsize * count) {
        PyErr_Format(PyExc_ValueError, "%s: expected %zd bytes, got %zd", what, itemsize * count, view->len);
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

static PyObject *S_id, *S_source;

static const char *const HIT_KEYS[5] = {"{\"rule\":", ",\"message\":", ",\"start\":", ",\"end\":", ",\"text\":"};
static const Py_ssize_t HIT_KEY_LEN[5] = {8, 11, 9, 7, 8};

/* write_lines(matrix, rows, convs, hits_of, present, scores, trends, plan, rule_index, na_json, tail, dumps)
   -> (lines, hits, fired, not_applicable, bands, red_lines)

   matrix: int8 buffer, rows x R (1 fired, 0 not, -1 not applicable), R = len(na_json);
   convs: the conversations (their .id and .source); hits_of: per conversation its hits, each
   (rule, message, start, end, text); present (int8), scores (float64): the customer emotion per
   conversation (present 0: null, null), trends: a list of its trend values; rule_index: dict rule id
   -> column; na_json: the JSON string of each column's rule id; tail: the bytes after the items
   (,"ruleset":...}). The counts: hits and conversations with a hit per column, not applicable per
   column, per score band (the last: no score). */
static PyObject *write_lines(PyObject *self, PyObject *args) {
    PyObject *matrix_obj, *convs, *hits_of, *present_obj, *scores_obj, *trends, *plan_obj, *rule_index, *na_json, *tail,
        *dumps;
    Py_ssize_t B;
    if (!PyArg_ParseTuple(args, "OnO!O!OOO!OO!O!SO", &matrix_obj, &B, &PyList_Type, &convs, &PyList_Type, &hits_of,
                          &present_obj, &scores_obj, &PyList_Type, &trends, &plan_obj, &PyDict_Type, &rule_index,
                          &PyTuple_Type, &na_json, &tail, &dumps))
        return NULL;
    Py_ssize_t R = PyTuple_GET_SIZE(na_json);
    if (PyList_GET_SIZE(convs) != B || PyList_GET_SIZE(hits_of) != B || PyList_GET_SIZE(trends) != B) {
        PyErr_SetString(PyExc_ValueError, "write_lines: one entry per conversation");
        return NULL;
    }
    for (Py_ssize_t j = 0; j < R; j++) {
        if (!PyBytes_Check(PyTuple_GET_ITEM(na_json, j))) {
            PyErr_SetString(PyExc_TypeError, "write_lines: na_json holds bytes");
            return NULL;
        }
    }
    Plan plan;
    Py_buffer mv = {0}, pv = {0}, sv = {0};
    int have_m = 0, have_p = 0, have_s = 0;
    Out o = {0};
    Py_ssize_t *counts = NULL;
    Py_ssize_t *last = NULL;
    int *codes = NULL;
    CacheEntry *cache_score = NULL, *cache_emotion = NULL;
    PyObject *result = NULL;
    PyObject *old_dumps = DUMPS;
    DUMPS = dumps;

    if (plan_parse(plan_obj, &plan) < 0) goto done;
    for (Py_ssize_t k = 0; k < plan.nitems; k++) {
        for (Py_ssize_t r = 0; r < plan.items[k].ncols; r++) {
            if (plan.items[k].cols[r] >= R) {
                PyErr_SetString(PyExc_ValueError, "plan: a column outside the matrix");
                goto done;
            }
        }
    }
    if (get_buffer(matrix_obj, &mv, 1, B * R, "matrix") < 0) goto done;
    have_m = 1;
    if (get_buffer(present_obj, &pv, 1, B, "present") < 0) goto done;
    have_p = 1;
    if (get_buffer(scores_obj, &sv, 8, B, "scores") < 0) goto done;
    have_s = 1;
    const signed char *M = (const signed char *)mv.buf;
    const signed char *present = (const signed char *)pv.buf;
    const double *scores = (const double *)sv.buf;

    /* counts: hits[R], fired[R], na[R], bands[nbands + 1], red */
    Py_ssize_t ncounts = 3 * R + plan.nbands + 2;
    counts = PyMem_Calloc((size_t)ncounts, sizeof(Py_ssize_t));
    last = PyMem_Malloc(((size_t)R + 1) * sizeof(Py_ssize_t));
    codes = PyMem_Malloc(((size_t)plan.nitems + 1) * sizeof(int));
    cache_score = PyMem_Calloc(CACHE_SIZE, sizeof(CacheEntry));
    cache_emotion = PyMem_Calloc(CACHE_SIZE, sizeof(CacheEntry));
    if (!counts || !last || !codes || !cache_score || !cache_emotion) {
        PyErr_NoMemory();
        goto done;
    }
    Py_ssize_t *c_hits = counts, *c_fired = counts + R, *c_na = counts + 2 * R, *c_bands = counts + 3 * R;
    Py_ssize_t *c_red = c_bands + plan.nbands + 1;
    for (Py_ssize_t j = 0; j < R; j++) last[j] = -1;

    Py_ssize_t per_line = 256 + PyBytes_GET_SIZE(tail);
    for (Py_ssize_t k = 0; k < plan.nitems; k++) per_line += plan.items[k].rec_len[1] + 1;
    if (out_init(&o, B * per_line + 1024) < 0) goto done;
    const char *tail_s = PyBytes_AS_STRING(tail);
    Py_ssize_t tail_n = PyBytes_GET_SIZE(tail);

    for (Py_ssize_t c = 0; c < B; c++) {
        const signed char *row = M + c * R;
        /* the scorecard, as scorecard._score_batch */
        double te = 0.0, ta = 0.0;
        int red = 0;
        for (Py_ssize_t s = 0; s < plan.nsections; s++) {
            const Section *sec = &plan.sections[s];
            double be = 0.0, ba = 0.0, bo = 0.0;
            for (Py_ssize_t k = sec->lo; k < sec->hi; k++) {
                const Item *it = &plan.items[k];
                int fired = 0, app = 0;
                for (Py_ssize_t r = 0; r < it->ncols; r++) {
                    int st = it->cols[r] < 0 ? -1 : row[it->cols[r]];
                    if (st == 1) fired = 1;
                    if (st != -1) app = 1;
                }
                if (it->mode == 2) app = 0;
                double earned = it->mode == 0 ? (fired ? 0.0 : it->points) : (fired ? it->points : 0.0);
                if (!app) earned = 0.0;
                if (it->bonus) {
                    bo = bo + earned;
                } else {
                    be = be + earned;
                    ba = ba + (app ? it->points : 0.0);
                }
                if (it->red && fired && app) red = 1;
                codes[k] = fired ? 2 : app;
            }
            double se = be + bo;
            if (!sec->lifts) se = (ba < se) ? ba : se; /* np.minimum: equal values are the same */
            te = te + se;
            ta = ta + ba;
        }
        int has_score = 1;
        double value = 0.0;
        CacheEntry *entry = NULL;
        if (red) {
            value = 0.0;
        } else if (ta <= 0) {
            has_score = 0;
        } else {
            double r = te / ta * 100;
            entry = rounded(cache_score, r < 100.0 ? r : 100.0, 2);
            value = entry->value;
            if (isnan(value)) {
                PyErr_SetString(PyExc_ValueError, "write_lines: a score could not be rounded");
                goto done;
            }
        }
        /* the line */
        PyObject *conv = PyList_GET_ITEM(convs, c);
        if (PUT_LIT(&o, "{\"id\":") < 0) goto done;
        PyObject *v = PyObject_GetAttr(conv, S_id);
        if (!v) goto done;
        int rc = put_value(&o, v);
        Py_DECREF(v);
        if (rc < 0 || PUT_LIT(&o, ",\"source\":") < 0) goto done;
        v = PyObject_GetAttr(conv, S_source);
        if (!v) goto done;
        rc = put_value(&o, v);
        Py_DECREF(v);
        if (rc < 0 || PUT_LIT(&o, ",\"score\":") < 0) goto done;
        if (!has_score) {
            if (PUT_LIT(&o, "null,\"grade\":null") < 0) goto done;
            c_bands[plan.nbands]++;
        } else {
            if ((entry ? put_cached(&o, entry) : PUT_LIT(&o, "0.0")) < 0 || PUT_LIT(&o, ",\"grade\":") < 0) goto done;
            Py_ssize_t g = 0;
            while (g < plan.ngrades && !(value >= plan.grade_min[g])) g++;
            if ((g < plan.ngrades ? out_put(&o, plan.grade_json[g], plan.grade_len[g]) : PUT_LIT(&o, "null")) < 0)
                goto done;
            Py_ssize_t b = 0;
            while (b < plan.nbands && !(value >= plan.band_min[b])) b++;
            if (b == plan.nbands && plan.nbands > 0) b = plan.nbands - 1;
            c_bands[b]++;
        }
        if ((red ? PUT_LIT(&o, ",\"red_line\":true,\"customer_emotion\":")
                 : PUT_LIT(&o, ",\"red_line\":false,\"customer_emotion\":")) < 0)
            goto done;
        *c_red += red;
        if (present[c]) {
            double x = scores[c];
            if (x == 0.0 && !signbit(x)) {
                if (PUT_LIT(&o, "0.0") < 0) goto done;
            } else {
                CacheEntry *e = rounded(cache_emotion, x, 4);
                if (isfinite(x) && isnan(e->value)) {
                    PyErr_SetString(PyExc_ValueError, "write_lines: an emotion score could not be rounded");
                    goto done;
                }
                if (put_cached(&o, e) < 0) goto done;
            }
            if (PUT_LIT(&o, ",\"emotion_trend\":") < 0 || put_value(&o, PyList_GET_ITEM(trends, c)) < 0) goto done;
        } else if (PUT_LIT(&o, "null,\"emotion_trend\":null") < 0) {
            goto done;
        }
        if (PUT_LIT(&o, ",\"hits\":[") < 0) goto done;
        PyObject *hits = PyList_GET_ITEM(hits_of, c);
        PyObject *hseq = PySequence_Fast(hits, "hits: expected a list");
        if (!hseq) goto done;
        Py_ssize_t nh = PySequence_Fast_GET_SIZE(hseq);
        for (Py_ssize_t h = 0; h < nh; h++) {
            PyObject *hit = PySequence_Fast_GET_ITEM(hseq, h);
            if (!(PyTuple_Check(hit) || PyList_Check(hit)) || PySequence_Fast_GET_SIZE(hit) != 5) {
                Py_DECREF(hseq);
                PyErr_SetString(PyExc_TypeError, "a hit is a tuple (rule, message, start, end, text)");
                goto done;
            }
            PyObject **field = PySequence_Fast_ITEMS(hit);
            if (h && PUT_LIT(&o, ",") < 0) {
                Py_DECREF(hseq);
                goto done;
            }
            for (int f = 0; f < 5; f++) {
                if (out_put(&o, HIT_KEYS[f], HIT_KEY_LEN[f]) < 0 ||
                    put_value(&o, field[f]) < 0) {
                    Py_DECREF(hseq);
                    goto done;
                }
            }
            if (PUT_LIT(&o, "}") < 0) {
                Py_DECREF(hseq);
                goto done;
            }
            PyObject *col = PyDict_GetItemWithError(rule_index, field[0]);
            if (!col) {
                Py_DECREF(hseq);
                if (!PyErr_Occurred()) PyErr_SetString(PyExc_KeyError, "a hit names a rule outside the rule set");
                goto done;
            }
            Py_ssize_t j = PyLong_AsSsize_t(col);
            if (j < 0 || j >= R) {
                Py_DECREF(hseq);
                if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "rule_index: a column outside the matrix");
                goto done;
            }
            c_hits[j]++;
            if (last[j] != c) {
                last[j] = c;
                c_fired[j]++;
            }
        }
        Py_DECREF(hseq);
        if (PUT_LIT(&o, "],\"not_applicable\":[") < 0) goto done;
        int first = 1;
        for (Py_ssize_t j = 0; j < R; j++) {
            if (row[j] != -1) continue;
            c_na[j]++;
            PyObject *nj = PyTuple_GET_ITEM(na_json, j);
            if ((!first && PUT_LIT(&o, ",") < 0) || out_put(&o, PyBytes_AS_STRING(nj), PyBytes_GET_SIZE(nj)) < 0)
                goto done;
            first = 0;
        }
        if (PUT_LIT(&o, "],\"items\":[") < 0) goto done;
        for (Py_ssize_t k = 0; k < plan.nitems; k++) {
            const Item *it = &plan.items[k];
            if (k && PUT_LIT(&o, ",") < 0) goto done;
            int code = codes[k];
            if (code < 2 || it->rec[2]) {
                if (out_put(&o, it->rec[code], it->rec_len[code]) < 0) goto done;
                continue;
            }
            /* several rules, some fired: the record with the fired ones */
            if (out_put(&o, it->prefix, it->prefix_len) < 0 || PUT_LIT(&o, "[") < 0) goto done;
            int any = 0;
            for (Py_ssize_t r = 0; r < it->ncols; r++) {
                if (it->cols[r] < 0 || row[it->cols[r]] != 1) continue;
                if ((any && PUT_LIT(&o, ",") < 0) || out_put(&o, it->rule_json[r], it->rule_json_len[r]) < 0) goto done;
                any = 1;
            }
            if (PUT_LIT(&o, "]}") < 0) goto done;
        }
        if (PUT_LIT(&o, "]") < 0 || out_put(&o, tail_s, tail_n) < 0 || PUT_LIT(&o, "\n") < 0) goto done;
    }
    {
        PyObject *lines = out_finish(&o);
        if (!lines) goto done;
        PyObject *l_hits = counts_list(c_hits, R), *l_fired = counts_list(c_fired, R), *l_na = counts_list(c_na, R),
                 *l_bands = counts_list(c_bands, plan.nbands + 1);
        if (l_hits && l_fired && l_na && l_bands)
            result = Py_BuildValue("(NNNNNn)", lines, l_hits, l_fired, l_na, l_bands, *c_red);
        else {
            Py_DECREF(lines);
            Py_XDECREF(l_hits);
            Py_XDECREF(l_fired);
            Py_XDECREF(l_na);
            Py_XDECREF(l_bands);
        }
    }
done:
    DUMPS = old_dumps;
    Py_XDECREF(o.bytes);
    if (have_m) PyBuffer_Release(&mv);
    if (have_p) PyBuffer_Release(&pv);
    if (have_s) PyBuffer_Release(&sv);
    plan_free(&plan);
    PyMem_Free(counts);
    PyMem_Free(last);
    PyMem_Free(codes);
    PyMem_Free(cache_score);
    PyMem_Free(cache_emotion);
    return result;
}

/* ------------------------------------------------------------------ test helpers */

static PyObject *dumps_float(PyObject *self, PyObject *args) {
    double x;
    PyObject *dumps;
    if (!PyArg_ParseTuple(args, "dO", &x, &dumps)) return NULL;
    Out o;
    if (out_init(&o, 64) < 0) return NULL;
    PyObject *old = DUMPS;
    DUMPS = dumps;
    int rc = put_float(&o, x);
    DUMPS = old;
    if (rc < 0) {
        Py_DECREF(o.bytes);
        return NULL;
    }
    return out_finish(&o);
}

static PyObject *dumps_str(PyObject *self, PyObject *args) {
    PyObject *s;
    if (!PyArg_ParseTuple(args, "U", &s)) return NULL;
    Out o;
    if (out_init(&o, 64) < 0) return NULL;
    if (put_str(&o, s) < 0) {
        Py_DECREF(o.bytes);
        return NULL;
    }
    return out_finish(&o);
}

static PyObject *round_float(PyObject *self, PyObject *args) {
    double x;
    int nd;
    if (!PyArg_ParseTuple(args, "di", &x, &nd)) return NULL;
    return PyFloat_FromDouble(py_round(x, nd));
}

static PyMethodDef methods[] = {
    {"write_lines", write_lines, METH_VARARGS, "The JSON lines and summary counts of a chunk (see the top of _results.c)."},
    {"dumps_float", dumps_float, METH_VARARGS, "dumps_float(x, dumps): x as the result lines write it."},
    {"dumps_str", dumps_str, METH_VARARGS, "dumps_str(s): s as the result lines write it."},
    {"round_float", round_float, METH_VARARGS, "round_float(x, n): round(x, n) as the result lines compute it."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "servicecoach.quality.engine._results",
    "The result lines of qa run written by C (see engine/_results.c).", -1, methods,
};

PyMODINIT_FUNC PyInit__results(void) {
    S_id = PyUnicode_InternFromString("id");
    S_source = PyUnicode_InternFromString("source");
    if (!S_id || !S_source) return NULL;
    return PyModule_Create(&module);
}
