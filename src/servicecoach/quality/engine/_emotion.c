/* servicecoach.quality.engine._emotion: customer emotion of a batch in one pass per customer message
   (optional; emotion.analyse_batch's numpy path is the fallback).

   analyse(texts, lowered, cust, first, tables) scores the customer messages of a batch exactly as
   emotion.analyse does, with the same floating-point operations in the same order:

     texts    the batch's customer messages' texts (str), in order
     lowered  "\n".join(texts) lowered as analyse lowers it (per conversation: Lexicon.lower)
     cust     int64: each customer message's global message index (ascending)
     first    int64, B + 1: each conversation's first global message index, then the total
     tables   the lexicon's tables (emotion._native_tables): an Aho-Corasick automaton over code
              points of the emotion and neutral phrases (native.Automaton), the entries' kind,
              weight, word bounds and length; a trie of the negation and degree words spelt
              backwards (native.Automaton of the reversed words: only its goto and out tables are
              used), their kind, weight, word bounds and length

   Per message: the leftmost-longest phrases (Lexicon.tokens), the negation and degree words
   before each (Lexicon.modifiers_before, its quick look included), punctuation and shouting
   (_score_tokens). Per conversation: the recency-weighted mean (combine), rounded to 6 digits as
   round(x, 6) does, and the trend (_trend).

   Returns (score float64[B], trend int8[B] (-1 none, 0 flat, 1 rising, 2 falling), net float64[n]
   (each customer message's net score), hit_conv int64, hit_msg int64 (index in the conversation),
   hit_start int64, hit_end int64, hit_weight float64) as bytes; the hits in analyse's order.

   Plain CPython C API, C99. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* emotion.py's constants (tests/quality/engine/test_native_emotion.py holds them equal) */
#define RECENCY_DECAY 0.5
#define NEGATED_POSITIVE 0.8
#define MAX_DEGREE 2.5
#define EXCLAMATION_AMP 0.1
#define RUN_AMP 0.2
#define RUN_BASE 0.3
#define QUESTION_BASE 0.5
#define ELLIPSIS_BASE 0.3
#define SHOUT_AMP 0.3
#define SHOUT_BASE 0.5
#define TREND_THRESHOLD 0.5
#define MAX_GAP 2

enum { NEGATIVE, POSITIVE, NEUTRAL, NEGATION, DEGREE, RHETORICAL };

static const char CLAUSE_BREAK_UTF8[] = "，。！？；：,.!?;:…\n、~～";
static const char *const ACRONYMS[] = {"OK", "ID", "VIP", "APP", "USB", "SIM", "PC", "TV", "QQ", "CEO", "FAQ", "SMS",
                                       "GPS", NULL};

static inline int is_break(Py_UCS4 c) {
    switch (c) {
    case 0xFF0C: case 0x3002: case 0xFF01: case 0xFF1F: case 0xFF1B: case 0xFF1A: case ',': case '.': case '!':
    case '?': case ';': case ':': case 0x2026: case '\n': case 0x3001: case '~': case 0xFF5E:
        return 1;
    default:
        return 0;
    }
}

static inline int is_word(Py_UCS4 c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static inline int is_letter(Py_UCS4 c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

static inline int is_mark(Py_UCS4 c) { return c == '!' || c == 0xFF01 || c == '?' || c == 0xFF1F; }

/* growable C arrays */
typedef struct {
    char *data;
    Py_ssize_t len;
    Py_ssize_t cap;
} Buf;

static int buf_add(Buf *b, const void *v, Py_ssize_t n) {
    if (n == 0) return 0;
    if (b->len + n > b->cap) {
        Py_ssize_t cap = b->cap ? b->cap : 1024;
        while (cap < b->len + n) cap *= 2;
        char *d = PyMem_Realloc(b->data, (size_t)cap);
        if (!d) {
            PyErr_NoMemory();
            return -1;
        }
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, v, (size_t)n);
    b->len += n;
    return 0;
}

static PyObject *bytes_of(Buf *b) { return PyBytes_FromStringAndSize(b->data ? b->data : "", b->len); }

/* ------------------------------------------------------------------ tables */

#define N_TABLES 23

typedef struct {
    /* the phrases' automaton */
    const int32_t *root_next, *ptr, *cp, *child, *fail, *out, *link, *depth;
    const int8_t *kind;
    const double *weight;
    const uint8_t *bstart, *bend;
    const int64_t *clen;
    Py_ssize_t n_entries;
    /* the modifiers' backward trie */
    const int32_t *m_root_next, *m_ptr, *m_cp, *m_child, *m_out;
    const int8_t *m_kind;
    const double *m_weight;
    const uint8_t *m_bstart, *m_bend;
    const int64_t *m_len;
    Py_ssize_t n_mods;
    Py_ssize_t m_nodes;
} Tables;

static inline int32_t ac_child(const int32_t *ptr, const int32_t *cp, const int32_t *child, int32_t node, int32_t c) {
    int32_t lo = ptr[node], hi = ptr[node + 1];
    while (lo < hi) {
        int32_t mid = (lo + hi) >> 1;
        if (cp[mid] < c) lo = mid + 1;
        else hi = mid;
    }
    return (lo < ptr[node + 1] && cp[lo] == c) ? child[lo] : -1;
}

static int load_tables(PyObject *tuple, Py_buffer *b, Tables *t) {
    if (!PyTuple_Check(tuple) || PyTuple_GET_SIZE(tuple) != N_TABLES) {
        PyErr_SetString(PyExc_ValueError, "analyse: tables must be a tuple of 23 buffers");
        return -1;
    }
    for (int k = 0; k < N_TABLES; k++) {
        if (PyObject_GetBuffer(PyTuple_GET_ITEM(tuple, k), &b[k], PyBUF_SIMPLE) < 0) return -1;
    }
    t->root_next = b[0].buf, t->ptr = b[1].buf, t->cp = b[2].buf, t->child = b[3].buf, t->fail = b[4].buf;
    t->out = b[5].buf, t->link = b[6].buf, t->depth = b[7].buf;
    t->kind = b[8].buf, t->weight = b[9].buf, t->bstart = b[10].buf, t->bend = b[11].buf, t->clen = b[12].buf;
    t->m_root_next = b[13].buf, t->m_ptr = b[14].buf, t->m_cp = b[15].buf, t->m_child = b[16].buf;
    t->m_out = b[17].buf;
    t->m_kind = b[18].buf, t->m_weight = b[19].buf, t->m_bstart = b[20].buf, t->m_bend = b[21].buf;
    t->m_len = b[22].buf;
    Py_ssize_t nodes = b[4].len / 4, E = b[8].len;
    t->n_entries = E;
    t->n_mods = b[18].len;
    t->m_nodes = b[17].len / 4;
    Py_ssize_t M = t->n_mods, mn = t->m_nodes;
    int ok = nodes >= 1 && b[0].len == 0x10000 * 4 && b[1].len == (nodes + 1) * 4 && b[2].len == b[3].len &&
             b[5].len == nodes * 4 && b[6].len == nodes * 4 && b[7].len == nodes * 4 && b[9].len == E * 8 &&
             b[10].len == E && b[11].len == E && b[12].len == E * 8 && mn >= 1 && b[13].len == 0x10000 * 4 &&
             b[14].len == (mn + 1) * 4 && b[15].len == b[16].len && b[19].len == M * 8 && b[20].len == M &&
             b[21].len == M && b[22].len == M * 8;
    if (ok) { /* every value the automata report must index the entries */
        for (Py_ssize_t s = 0; s < nodes && ok; s++) ok = t->out[s] < E && t->link[s] < nodes && t->fail[s] < nodes;
        for (Py_ssize_t s = 0; s < mn && ok; s++) ok = t->m_out[s] < M;
        for (Py_ssize_t e = 0; e < E && ok; e++) ok = t->kind[e] >= 0 && t->kind[e] <= RHETORICAL && t->clen[e] > 0;
        for (Py_ssize_t e = 0; e < M && ok; e++) ok = t->m_len[e] > 0;
    }
    if (!ok) {
        PyErr_SetString(PyExc_ValueError, "analyse: inconsistent lexicon tables");
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------ one message */

typedef struct {
    int64_t start, end, which;
} Match;

static int match_cmp(const void *a, const void *b) {
    const Match *x = a, *y = b;
    if (x->start != y->start) return x->start < y->start ? -1 : 1;
    if (x->end != y->end) return x->end > y->end ? -1 : 1;
    return (x->which > y->which) - (x->which < y->which);
}

typedef struct {
    int kind;          /* of the lowered text */
    const void *data;
    Py_ssize_t off;    /* the message's first character in it */
    Py_ssize_t n;      /* the message's length */
} Low;

#define L(i) PyUnicode_READ(low->kind, low->data, low->off + (i))

/* Lexicon.modifiers_before over the message (local offsets) */
static void modifiers_before(const Tables *t, const Low *low, Py_ssize_t start, Py_ssize_t floor, int64_t *cand,
                             int *negated_out, double *degree_out, Py_ssize_t *begin_out) {
    int negated = 0;
    double degree = 1.0;
    *negated_out = 0, *degree_out = 1.0, *begin_out = start;
    if (start <= floor) return;
    Py_UCS4 before = L(start - 1);
#define IS_LAST(c) ((c) < 0x10000 ? t->m_root_next[(c)] != 0 : ac_child(t->m_ptr, t->m_cp, t->m_child, 0, (int32_t)(c)) >= 0)
    if (!IS_LAST(before) && before >= 128) {
        if (is_break(before) || start - 2 < floor || !IS_LAST(L(start - 2))) return;
    }
    Py_ssize_t begin = start, pos = start;
    int gap = 0;
    while (pos > floor) {
        Py_ssize_t p = pos;
        while (p > floor && L(p - 1) == ' ') p--;
        int64_t found = -1;
        if (p > floor) {
            /* every modifier ending at p and starting at or after floor, shortest first */
            int n_cand = 0;
            int32_t node = 0;
            for (Py_ssize_t q = p - 1; q >= floor; q--) {
                Py_UCS4 c = L(q);
                if (node == 0 && c < 0x10000) node = t->m_root_next[c];
                else node = ac_child(t->m_ptr, t->m_cp, t->m_child, node, (int32_t)c);
                if (node <= 0) break;
                if (t->m_out[node] >= 0) cand[n_cand++] = t->m_out[node];
            }
            /* the longest that its word bounds allow */
            for (int k = n_cand - 1; k >= 0; k--) {
                int64_t e = cand[k];
                Py_ssize_t len = (Py_ssize_t)t->m_len[e];
                if (t->m_bend[e] && p < low->n && is_word(L(p))) continue;
                if (t->m_bstart[e] && p - len > 0 && is_word(L(p - len - 1))) continue;
                found = e;
                break;
            }
        }
        if (found >= 0) {
            if (t->m_kind[found] == NEGATION) negated = !negated;
            else degree *= t->m_weight[found];
            begin = pos = p - (Py_ssize_t)t->m_len[found];
            continue;
        }
        if (p <= floor || is_break(L(p - 1))) break;
        Py_UCS4 c = L(p - 1);
        if (is_word(c) || c == '\'') {
            while (p > floor && (is_word(L(p - 1)) || L(p - 1) == '\'')) p--;
            gap += 1;
        } else {
            p -= 1;
            gap += 2;
        }
        if (gap > MAX_GAP) break;
        pos = p;
    }
#undef IS_LAST
    *negated_out = negated, *degree_out = degree, *begin_out = begin;
}

typedef struct {
    Buf conv, msg, start, end, weight;
} Hits;

static int add_hit(Hits *h, int64_t conv, int64_t msg, int64_t start, int64_t end, double weight) {
    if (buf_add(&h->conv, &conv, 8) < 0 || buf_add(&h->msg, &msg, 8) < 0 || buf_add(&h->start, &start, 8) < 0 ||
        buf_add(&h->end, &end, 8) < 0 || buf_add(&h->weight, &weight, 8) < 0)
        return -1;
    return 0;
}

static int is_acronym(int kind, const void *data, Py_ssize_t lo, Py_ssize_t hi) {
    for (const char *const *a = ACRONYMS; *a; a++) {
        Py_ssize_t n = (Py_ssize_t)strlen(*a);
        if (n != hi - lo) continue;
        Py_ssize_t i = 0;
        while (i < n && PyUnicode_READ(kind, data, lo + i) == (Py_UCS4)(unsigned char)(*a)[i]) i++;
        if (i == n) return 1;
    }
    return 0;
}

/* _score_tokens over one customer message: its net score, its hits appended to h */
static int score_message(const Tables *t, PyObject *text, const Low *low, int64_t conv, int64_t msg, Buf *matches,
                         int64_t *cand, Hits *h, double *net) {
    Py_ssize_t n = low->n;
    /* --- every phrase (Lexicon.tokens): the automaton over the lowered message */
    matches->len = 0;
    int32_t state = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 ch = L(i);
        int32_t c = (int32_t)ch;
        for (;;) {
            if (state == 0) {
                if (ch < 0x10000) state = t->root_next[ch];
                else {
                    int32_t next = ac_child(t->ptr, t->cp, t->child, 0, c);
                    state = next < 0 ? 0 : next;
                }
                break;
            }
            int32_t next = ac_child(t->ptr, t->cp, t->child, state, c);
            if (next >= 0) {
                state = next;
                break;
            }
            state = t->fail[state];
        }
        for (int32_t s = t->out[state] >= 0 ? state : t->link[state]; s >= 0; s = t->link[s]) {
            int64_t which = t->out[s];
            Match m = {(int64_t)i + 1 - t->depth[s], 0, which};
            m.end = m.start + t->clen[which];
            if (t->bstart[which] && m.start > 0 && is_word(L(m.start - 1))) continue;
            if (t->bend[which] && m.end < n && is_word(L(m.end))) continue;
            if (buf_add(matches, &m, sizeof(Match)) < 0) return -1;
        }
    }
    Match *ms = (Match *)matches->data;
    Py_ssize_t n_matches = matches->len / (Py_ssize_t)sizeof(Match);
    if (n_matches > 1) qsort(ms, (size_t)n_matches, sizeof(Match), match_cmp);

    /* --- the tokens, scored in order */
    double negative = 0.0, positive = 0.0;
    int64_t covered = 0, floor = 0;
    for (Py_ssize_t k = 0; k < n_matches; k++) {
        if (ms[k].start < covered) continue;
        int64_t start = ms[k].start, end = ms[k].end, which = ms[k].which;
        covered = end;
        int kind = t->kind[which];
        int64_t previous_end = floor;
        floor = end;
        if (kind == NEUTRAL) continue;
        double weight = t->weight[which];
        if (kind != RHETORICAL) {
            int negated;
            double degree;
            Py_ssize_t begin;
            modifiers_before(t, low, (Py_ssize_t)start, (Py_ssize_t)previous_end, cand, &negated, &degree, &begin);
            start = begin;
            weight *= (MAX_DEGREE < degree) ? MAX_DEGREE : degree; /* min(degree, MAX_DEGREE) */
            if (negated) {
                if (kind == NEGATIVE) continue;
                kind = NEGATIVE;
                weight *= NEGATED_POSITIVE;
            }
        }
        if (weight == 0.0) continue;
        if (kind == POSITIVE) {
            positive += weight;
            if (add_hit(h, conv, msg, start, end, -weight) < 0) return -1;
        } else {
            negative += weight;
            if (add_hit(h, conv, msg, start, end, weight) < 0) return -1;
        }
    }

    /* --- punctuation, over the text itself */
    int tkind = PyUnicode_KIND(text);
    const void *tdata = PyUnicode_DATA(text);
    Py_ssize_t excl = 0, questions = 0, runs = 0, letters = 0, dots = 0;
    Py_ssize_t run_lo[2] = {0, 0}, run_hi[2] = {0, 0};
    int ellipsis = 0, differs = 0;
    Py_ssize_t mark_from = -1;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ(tkind, tdata, i);
        if (c != L(i)) differs = 1;
        if (is_mark(c)) {
            if (c == '!' || c == 0xFF01) excl++;
            else questions++;
            if (mark_from < 0) mark_from = i;
        } else if (mark_from >= 0) {
            if (i - mark_from >= 2) {
                if (runs < 2) run_lo[runs] = mark_from, run_hi[runs] = i;
                runs++;
            }
            mark_from = -1;
        }
        if (c == '.') {
            if (++dots >= 3) ellipsis = 1;
        } else {
            dots = 0;
            if (c == 0x2026) ellipsis = 1;
        }
        if (is_letter(c)) letters++;
    }
    if (mark_from >= 0 && n - mark_from >= 2) {
        if (runs < 2) run_lo[runs] = mark_from, run_hi[runs] = n;
        runs++;
    }
    double amp = 1.0, base = 0.0;
    if (excl) amp += EXCLAMATION_AMP * (double)(excl < 5 ? excl : 5);
    if (excl + questions >= 2 && runs) {
        amp += RUN_AMP * (double)(runs < 3 ? runs : 3);
        for (Py_ssize_t r = 0; r < runs && r < 2; r++) {
            base += RUN_BASE;
            if (add_hit(h, conv, msg, run_lo[r], run_hi[r], RUN_BASE) < 0) return -1;
        }
    }
    if (questions) base += QUESTION_BASE * (double)(questions < 3 ? questions : 3);
    if (ellipsis) base += ELLIPSIS_BASE;

    /* --- English in capitals (only where lowering changed the text) */
    if (differs) {
        Py_ssize_t shouted = 0, first_len = 0;
        for (int pass = 0; pass < 2; pass++) {
            Py_ssize_t count = 0;
            for (Py_ssize_t i = 0; i < n;) {
                Py_UCS4 c = PyUnicode_READ(tkind, tdata, i);
                if (!(c >= 'A' && c <= 'Z')) {
                    i++;
                    continue;
                }
                Py_ssize_t j = i;
                while (j < n) {
                    Py_UCS4 d = PyUnicode_READ(tkind, tdata, j);
                    if (!(d >= 'A' && d <= 'Z')) break;
                    j++;
                }
                int ok = j - i >= 2 && !(i > 0 && is_letter(PyUnicode_READ(tkind, tdata, i - 1))) &&
                         !(j < n && is_letter(PyUnicode_READ(tkind, tdata, j))) && !is_acronym(tkind, tdata, i, j);
                if (ok) {
                    if (pass == 0) {
                        if (count == 0) first_len = j - i;
                    } else if (add_hit(h, conv, msg, i, j, SHOUT_BASE / (double)shouted) < 0) {
                        return -1;
                    }
                    count++;
                }
                i = j;
            }
            if (pass == 0) {
                shouted = count;
                if (!(shouted && (shouted >= 2 || first_len >= 4))) break;
                /* len(text.strip()) */
                Py_ssize_t lo = 0, hi = n;
                while (lo < hi && Py_UNICODE_ISSPACE(PyUnicode_READ(tkind, tdata, lo))) lo++;
                while (hi > lo && Py_UNICODE_ISSPACE(PyUnicode_READ(tkind, tdata, hi - 1))) hi--;
                if (!(letters * 2 >= hi - lo)) break;
                amp += SHOUT_AMP;
                base += SHOUT_BASE;
            }
        }
    }
    double raw = negative * amp + base;
    *net = raw - positive;
    return 0;
}

/* ------------------------------------------------------------------ per conversation */

/* round(x, 6) for x >= 0 (what combine() returns): the integer nearest to x * 10**6 (ties to even),
   exactly, then divided by 10**6 (IEEE division is the correctly rounded quotient, which is what
   Python's round returns: the double nearest to that decimal). Huge values go to Python's round. */
static int round6(double x, double *out) {
    if (!(x < 4e9)) { /* also NaN and inf */
        if (!isfinite(x)) {
            *out = x;
            return 0;
        }
        PyObject *f = PyFloat_FromDouble(x);
        if (!f) return -1;
        PyObject *r = PyObject_CallMethod(f, "__round__", "i", 6);
        Py_DECREF(f);
        if (!r) return -1;
        *out = PyFloat_AsDouble(r);
        Py_DECREF(r);
        return 0;
    }
    double hi = x * 1e6;
    double lo = fma(x, 1e6, -hi); /* x * 10**6 == hi + lo exactly */
    double whole = floor(hi);
    double frac = hi - whole; /* exact */
    /* frac is a multiple of hi's ulp and |lo| at most half of it: only a tie needs lo */
    if (frac > 0.5 || (frac == 0.5 && (lo > 0.0 || (lo == 0.0 && fmod(whole, 2.0) != 0.0)))) whole += 1.0;
    *out = whole / 1e6;
    return 0;
}

/* Python's sum() of floats, as this interpreter does it */
static double py_sum(const double *v, Py_ssize_t n) {
#if PY_VERSION_HEX >= 0x030C0000
    double f = 0.0, c = 0.0;
    for (Py_ssize_t i = 0; i < n; i++) {
        double x = v[i];
        double t = f + x;
        if (fabs(f) >= fabs(x)) c += (f - t) + x;
        else c += (x - t) + f;
        f = t;
    }
    if (c && isfinite(c)) f += c;
    return f;
#else
    double f = 0.0;
    for (Py_ssize_t i = 0; i < n; i++) f += v[i];
    return f;
#endif
}

PyDoc_STRVAR(analyse_doc, "analyse(texts, lowered, cust, first, tables) -> (score, trend, net, hit_conv, hit_msg, "
                          "hit_start, hit_end, hit_weight)\n\nSee the top of _emotion.c.");

static PyObject *analyse(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *texts, *lowered, *tables;
    Py_buffer cust_b = {0}, first_b = {0};
    Py_buffer tb[N_TABLES];
    memset(tb, 0, sizeof(tb));
    if (!PyArg_ParseTuple(args, "O!Uy*y*O:analyse", &PyList_Type, &texts, &lowered, &cust_b, &first_b, &tables))
        return NULL;
    PyObject *result = NULL;
    Tables t;
    Buf matches = {0}, score = {0}, trend = {0}, net = {0};
    Hits h;
    memset(&h, 0, sizeof(h));
    int64_t *cand = NULL;
    if (load_tables(tables, tb, &t) < 0) goto done;
    Py_ssize_t n = PyList_GET_SIZE(texts);
    const int64_t *cust = cust_b.buf, *first = first_b.buf;
    Py_ssize_t B = first_b.len / 8 - 1;
    if (cust_b.len != n * 8 || B < 0 || first[0] != 0) {
        PyErr_SetString(PyExc_ValueError, "analyse: texts, cust and first disagree");
        goto done;
    }
    for (Py_ssize_t c = 0; c < B; c++) {
        if (first[c + 1] < first[c]) {
            PyErr_SetString(PyExc_ValueError, "analyse: first must not decrease");
            goto done;
        }
    }
    Py_ssize_t total = 0;
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *s = PyList_GET_ITEM(texts, k);
        if (!PyUnicode_Check(s)) {
            PyErr_SetString(PyExc_TypeError, "analyse: texts must be str");
            goto done;
        }
        if (k && cust[k] <= cust[k - 1]) {
            PyErr_SetString(PyExc_ValueError, "analyse: cust must increase");
            goto done;
        }
        if (cust[k] < 0 || cust[k] >= first[B]) {
            PyErr_SetString(PyExc_ValueError, "analyse: a customer message outside the batch");
            goto done;
        }
        total += PyUnicode_GET_LENGTH(s) + (k ? 1 : 0);
    }
    if (PyUnicode_GET_LENGTH(lowered) != total) {
        PyErr_SetString(PyExc_ValueError, "analyse: lowered is not as long as the texts joined");
        goto done;
    }
    {
        Py_ssize_t longest = 1;
        for (Py_ssize_t e = 0; e < t.n_mods; e++)
            if (t.m_len[e] > longest) longest = (Py_ssize_t)t.m_len[e];
        cand = PyMem_Malloc((size_t)(longest + 1) * sizeof(int64_t));
        if (!cand) {
            PyErr_NoMemory();
            goto done;
        }
    }
    Low low = {PyUnicode_KIND(lowered), PyUnicode_DATA(lowered), 0, 0};
    double *nets = PyMem_Malloc((size_t)(n ? n : 1) * sizeof(double));
    if (!nets) {
        PyErr_NoMemory();
        goto done;
    }
    Py_ssize_t k = 0;
    for (Py_ssize_t c = 0; c < B; c++) {
        Py_ssize_t k0 = k;
        while (k < n && cust[k] < first[c + 1]) {
            PyObject *text = PyList_GET_ITEM(texts, k);
            low.n = PyUnicode_GET_LENGTH(text);
            if (score_message(&t, text, &low, c, cust[k] - first[c], &matches, cand, &h, &nets[k]) < 0) {
                PyMem_Free(nets);
                goto done;
            }
            low.off += low.n + 1;
            k++;
        }
        double value = 0.0;
        int8_t code = -1;
        Py_ssize_t m = k - k0;
        if (m) {
            /* combine() */
            double w = 1.0, tot = 0.0, norm = 0.0;
            for (Py_ssize_t i = k - 1; i >= k0; i--) {
                tot += w * nets[i];
                norm += w;
                w *= RECENCY_DECAY;
            }
            double s = tot / norm;
            s = s > 0.0 ? s : 0.0;
            if (round6(s, &value) < 0) {
                PyMem_Free(nets);
                goto done;
            }
            /* _trend() */
            if (m >= 2) {
                Py_ssize_t half = m / 2;
                double a = py_sum(nets + k0, half) / (double)half;
                double b2 = py_sum(nets + k - half, half) / (double)half;
                double change = b2 - a;
                code = change > TREND_THRESHOLD ? 1 : change < -TREND_THRESHOLD ? 2 : 0;
            }
        }
        if (buf_add(&score, &value, 8) < 0 || buf_add(&trend, &code, 1) < 0) {
            PyMem_Free(nets);
            goto done;
        }
    }
    if (k != n) {
        PyMem_Free(nets);
        PyErr_SetString(PyExc_ValueError, "analyse: a customer message outside the batch");
        goto done;
    }
    if (buf_add(&net, nets, n * 8) < 0) {
        PyMem_Free(nets);
        goto done;
    }
    PyMem_Free(nets);
    result = Py_BuildValue("(NNNNNNNN)", bytes_of(&score), bytes_of(&trend), bytes_of(&net), bytes_of(&h.conv),
                           bytes_of(&h.msg), bytes_of(&h.start), bytes_of(&h.end), bytes_of(&h.weight));
done:
    for (int i = 0; i < N_TABLES; i++)
        if (tb[i].obj) PyBuffer_Release(&tb[i]);
    PyBuffer_Release(&cust_b);
    PyBuffer_Release(&first_b);
    PyMem_Free(cand);
    PyMem_Free(matches.data);
    PyMem_Free(score.data);
    PyMem_Free(trend.data);
    PyMem_Free(net.data);
    PyMem_Free(h.conv.data);
    PyMem_Free(h.msg.data);
    PyMem_Free(h.start.data);
    PyMem_Free(h.end.data);
    PyMem_Free(h.weight.data);
    return result;
}

PyDoc_STRVAR(round6_doc, "round6(x) -> float\n\nround(x, 6) as analyse computes it, for x >= 0 (for the tests).");

static PyObject *py_round6(PyObject *self, PyObject *arg) {
    (void)self;
    double x = PyFloat_AsDouble(arg);
    if (x == -1.0 && PyErr_Occurred()) return NULL;
    double out;
    if (round6(x, &out) < 0) return NULL;
    return PyFloat_FromDouble(out);
}

static PyMethodDef methods[] = {
    {"analyse", analyse, METH_VARARGS, analyse_doc},
    {"round6", py_round6, METH_O, round6_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "servicecoach.quality.engine._emotion",
    "Customer emotion of a batch, compiled (optional; emotion.analyse_batch's numpy path is the fallback).", -1,
    methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__emotion(void) {
    PyObject *m = PyModule_Create(&module);
    if (!m) return NULL;
    PyObject *acr = PyTuple_New(0);
    for (const char *const *a = ACRONYMS; acr && *a; a++) {
        PyObject *s = PyUnicode_FromString(*a);
        if (!s || _PyTuple_Resize(&acr, PyTuple_GET_SIZE(acr) + 1) < 0) {
            Py_XDECREF(s);
            Py_XDECREF(acr);
            acr = NULL;
            break;
        }
        PyTuple_SET_ITEM(acr, PyTuple_GET_SIZE(acr) - 1, s);
    }
    PyObject *constants = acr ? Py_BuildValue(
        "{sdsdsdsdsdsdsdsdsdsdsdsisssN}", "RECENCY_DECAY", RECENCY_DECAY, "NEGATED_POSITIVE", NEGATED_POSITIVE,
        "MAX_DEGREE", MAX_DEGREE, "EXCLAMATION_AMP", EXCLAMATION_AMP, "RUN_AMP", RUN_AMP, "RUN_BASE", RUN_BASE,
        "QUESTION_BASE", QUESTION_BASE, "ELLIPSIS_BASE", ELLIPSIS_BASE, "SHOUT_AMP", SHOUT_AMP, "SHOUT_BASE",
        SHOUT_BASE, "TREND_THRESHOLD", TREND_THRESHOLD, "MAX_GAP", MAX_GAP, "CLAUSE_BREAK", CLAUSE_BREAK_UTF8,
        "ACRONYMS", acr) : NULL;
    if (!constants || PyModule_AddObject(m, "CONSTANTS", constants) < 0) {
        Py_XDECREF(constants);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
