/* servicecoach.quality.engine._rules: pieces of the batched rules (engine/batch.py) in C (optional).

   hit_lists(rows, ids, texts, first, B) makes each conversation's hits from the evidence rows of a
   batch, as BatchRuleSet._hits does in Python: ``rows`` is a C-contiguous int64 buffer of n x 5
   values (conversation, rule, message, start, end), sorted by conversation; ``ids`` the rule ids (a
   list of str), ``texts`` the batch's message texts (a list of str), ``first`` an int64 buffer of
   B + 1 values (each conversation's first message). A row with message >= 0 becomes the tuple
   (ids[rule], message, start, end, texts[first[conversation] + message][start:end]), one with
   message < 0 (a fired rule without a span) (ids[rule], None, None, None, ""). Returns a list of B
   lists. Any index out of range raises IndexError, a row out of conversation order ValueError.

   Plain CPython C API, C99. See docs/qa-rules.md ("speed and the evaluators"). */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

static int get_buffer(PyObject *obj, Py_buffer *view, Py_ssize_t count, const char *what) {
    if (PyObject_GetBuffer(obj, view, PyBUF_C_CONTIGUOUS) < 0) return -1;
    if (view->itemsize != 8 && view->len != 0) {
        PyBuffer_Release(view);
        PyErr_Format(PyExc_TypeError, "%s: 8-byte items expected", what);
        return -1;
    }
    if (count >= 0 ? view->len != count * 8 : view->len % 8 != 0) {
        PyBuffer_Release(view);
        PyErr_Format(PyExc_ValueError, "%s: unexpected size", what);
        return -1;
    }
    return 0;
}

static PyObject *hit_lists(PyObject *self, PyObject *args) {
    PyObject *rows_obj, *ids, *texts, *first_obj;
    Py_ssize_t B;
    if (!PyArg_ParseTuple(args, "OO!O!On", &rows_obj, &PyList_Type, &ids, &PyList_Type, &texts, &first_obj, &B))
        return NULL;
    if (B < 0) {
        PyErr_SetString(PyExc_ValueError, "B must not be negative");
        return NULL;
    }
    Py_buffer rv = {0}, fv = {0};
    if (get_buffer(rows_obj, &rv, -1, "rows") < 0) return NULL;
    if (get_buffer(first_obj, &fv, B + 1, "first") < 0) {
        PyBuffer_Release(&rv);
        return NULL;
    }
    PyObject *out = NULL, *empty = NULL;
    const int64_t *rows = (const int64_t *)rv.buf;
    const int64_t *first = (const int64_t *)fv.buf;
    Py_ssize_t n = rv.len / 8;
    if (n % 5 != 0) {
        PyErr_SetString(PyExc_ValueError, "rows: 5 values per row expected");
        goto done;
    }
    n /= 5;
    empty = PyUnicode_New(0, 0);
    if (!empty) goto done;
    out = PyList_New(B);
    if (!out) goto done;
    for (Py_ssize_t c = 0; c < B; c++) {
        PyObject *lst = PyList_New(0);
        if (!lst) goto fail;
        PyList_SET_ITEM(out, c, lst);
    }
    Py_ssize_t R = PyList_GET_SIZE(ids), T = PyList_GET_SIZE(texts);
    int64_t prev = 0;
    for (Py_ssize_t k = 0; k < n; k++) {
        const int64_t *r = rows + 5 * k;
        int64_t c = r[0], j = r[1], mi = r[2], s = r[3], e = r[4];
        if (c < 0 || c >= B || j < 0 || j >= R) {
            PyErr_SetString(PyExc_IndexError, "hit row: conversation or rule out of range");
            goto fail;
        }
        if (c < prev) {
            PyErr_SetString(PyExc_ValueError, "hit rows: not in conversation order");
            goto fail;
        }
        prev = c;
        PyObject *id = PyList_GET_ITEM(ids, j);
        PyObject *hit;
        if (mi >= 0) {
            int64_t at = first[c] + mi;
            if (at < 0 || at >= T) {
                PyErr_SetString(PyExc_IndexError, "hit row: message out of range");
                goto fail;
            }
            PyObject *text = PyList_GET_ITEM(texts, at);
            PyObject *piece;
            if (PyUnicode_CheckExact(text) && s >= 0 && e >= 0)
                piece = PyUnicode_Substring(text, (Py_ssize_t)s, (Py_ssize_t)e); /* == text[s:e] */
            else
                piece = PySequence_GetSlice(text, (Py_ssize_t)s, (Py_ssize_t)e);
            if (!piece) goto fail;
            hit = PyTuple_New(5);
            if (!hit) {
                Py_DECREF(piece);
                goto fail;
            }
            Py_INCREF(id);
            PyTuple_SET_ITEM(hit, 0, id);
            PyTuple_SET_ITEM(hit, 4, piece);
            PyObject *v[3] = {PyLong_FromLongLong(mi), PyLong_FromLongLong(s), PyLong_FromLongLong(e)};
            for (int q = 0; q < 3; q++) PyTuple_SET_ITEM(hit, q + 1, v[q]); /* NULL on failure: cleared below */
            if (!v[0] || !v[1] || !v[2]) {
                Py_DECREF(hit);
                goto fail;
            }
        } else {
            hit = PyTuple_Pack(5, id, Py_None, Py_None, Py_None, empty);
        }
        if (!hit) goto fail;
        int bad = PyList_Append(PyList_GET_ITEM(out, c), hit);
        Py_DECREF(hit);
        if (bad < 0) goto fail;
    }
    goto done;
fail:
    Py_CLEAR(out);
done:
    Py_XDECREF(empty);
    PyBuffer_Release(&rv);
    PyBuffer_Release(&fv);
    return out;
}

static PyMethodDef methods[] = {
    {"hit_lists", hit_lists, METH_VARARGS, "Each conversation's hits from a batch's evidence rows (see the top of _rules.c)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "servicecoach.quality.engine._rules",
    "Pieces of the batched rules in C (see engine/_rules.c).", -1, methods,
};

PyMODINIT_FUNC PyInit__rules(void) { return PyModule_Create(&module); }
