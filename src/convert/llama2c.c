/* convert/llama2c.c - llama2.c checkpoint + tokenizer -> GGUF `llama` (layout and mapping in llama2c.h).
 *
 * Both inputs are mapped read-only and validated completely before anything is written; tensor bytes
 * are then copied straight from the checkpoint mapping into the GGUF writer's per-tensor buffer.
 */
#include "convert/llama2c.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/mapfile.h"
#include "format/dtype.h"
#include "format/gguf.h"

/* llama.cpp's llama_token_type numbering (LLAMA_TOKEN_TYPE_*). */
enum { TT_NORMAL = 1, TT_UNKNOWN = 2, TT_CONTROL = 3, TT_BYTE = 6 };

#define MAX_DIM (1 << 24)   /* any dimension; keeps every size product far from overflow */
#define MAX_LAYERS 4096

static uint32_t rd_u32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static float rd_f32(const uint8_t *p) {
    uint32_t u = rd_u32(p);
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* ---- checkpoint header ---------------------------------------------------------------------------- */

int lf_llama2c_parse_config(const uint8_t *data, size_t size, lf_llama2c_config *c, lfmrt_err *e) {
    if (!c || (!data && size)) return lf_err(e, LFMRT_E_INVALID, "llama2.c config: NULL argument");
    memset(c, 0, sizeof *c);
    if (size < LF_LLAMA2C_HEADER_BYTES)
        return lf_err(e, LFMRT_E_FORMAT, "llama2.c checkpoint: %zu bytes, shorter than the %d-byte header",
                      size, LF_LLAMA2C_HEADER_BYTES);
    int32_t h[7];
    for (int i = 0; i < 7; i++) h[i] = (int32_t)rd_u32(data + 4 * i);
    static const char *const names[7] = {"dim", "hidden_dim", "n_layers", "n_heads",
                                         "n_kv_heads", "vocab_size", "seq_len"};
    c->dim = h[0];
    c->hidden_dim = h[1];
    c->n_layers = h[2];
    c->n_heads = h[3];
    c->n_kv_heads = h[4];
    c->shared = h[5] > 0;
    c->vocab_size = h[5] == INT32_MIN ? 0 : (h[5] < 0 ? -h[5] : h[5]);
    c->seq_len = h[6];
    const int32_t v[7] = {c->dim, c->hidden_dim, c->n_layers, c->n_heads, c->n_kv_heads, c->vocab_size,
                          c->seq_len};
    for (int i = 0; i < 7; i++) {
        int32_t lim = i == 2 ? MAX_LAYERS : MAX_DIM;
        if (v[i] <= 0 || v[i] > lim)
            return lf_err(e, LFMRT_E_FORMAT,
                          "llama2.c checkpoint: header field %s = %d (byte %d) is out of range 1..%d: not a "
                          "llama2.c checkpoint?", names[i], h[i], 4 * i, lim);
    }
    if (c->dim % c->n_heads)
        return lf_err(e, LFMRT_E_FORMAT, "llama2.c checkpoint: dim %d is not a multiple of n_heads %d",
                      c->dim, c->n_heads);
    if (c->n_kv_heads > c->n_heads || c->n_heads % c->n_kv_heads)
        return lf_err(e, LFMRT_E_FORMAT,
                      "llama2.c checkpoint: n_heads %d is not a multiple of n_kv_heads %d", c->n_heads,
                      c->n_kv_heads);
    c->head_size = c->dim / c->n_heads;
    if (c->head_size % 2)
        return lf_err(e, LFMRT_E_FORMAT, "llama2.c checkpoint: head size %d (dim/n_heads) is odd",
                      c->head_size);
    if (c->vocab_size < 3)
        return lf_err(e, LFMRT_E_FORMAT,
                      "llama2.c checkpoint: vocab_size %d < 3 (ids 0, 1, 2 are <unk>, <s>, </s>)",
                      c->vocab_size);
    c->kv_dim = c->head_size * c->n_kv_heads;

    /* every factor <= 2^24 and L <= 2^12: each term < 2^61 and the sum cannot wrap */
    const uint64_t D = (uint64_t)c->dim, F = (uint64_t)c->hidden_dim, L = (uint64_t)c->n_layers,
                   V = (uint64_t)c->vocab_size, S = (uint64_t)c->seq_len, KV = (uint64_t)c->kv_dim,
                   HS = (uint64_t)c->head_size;
    uint64_t n = V * D;              /* token_embedding */
    n += L * D;                      /* rms_att */
    n += L * D * D;                  /* wq */
    n += 2 * L * KV * D;             /* wk, wv */
    n += L * D * D;                  /* wo */
    n += L * D;                      /* rms_ffn */
    n += 3 * L * F * D;              /* w1, w2, w3 */
    n += D;                          /* rms_final */
    n += S * HS;                     /* freq_cis_real + freq_cis_imag: 2 x seq x head_size/2 */
    if (!c->shared) n += V * D;      /* wcls */
    c->n_floats = n;
    const uint64_t want = LF_LLAMA2C_HEADER_BYTES + 4 * n;
    if ((uint64_t)size != want)
        return lf_err(e, LFMRT_E_FORMAT,
                      "llama2.c checkpoint: %zu bytes, but its header (dim %d, hidden %d, %d layers, %d heads, "
                      "%d kv heads, vocab %d%s, seq %d) implies %llu bytes: %s", size, c->dim,
                      c->hidden_dim, c->n_layers, c->n_heads, c->n_kv_heads, c->vocab_size,
                      c->shared ? " shared" : " unshared", c->seq_len, (unsigned long long)want,
                      (uint64_t)size < want ? "truncated file" : "trailing bytes (or not a llama2.c checkpoint)");
    return LFMRT_OK;
}

/* ---- tokenizer ------------------------------------------------------------------------------------ */

void lf_llama2c_vocab_free(lf_llama2c_vocab *v) {
    if (!v) return;
    free(v->piece);
    free(v->len);
    free(v->score);
    memset(v, 0, sizeof *v);
}

int lf_llama2c_parse_vocab(const uint8_t *data, size_t size, int32_t n_vocab, lf_llama2c_vocab *v,
                           lfmrt_err *e) {
    if (!v || (!data && size) || n_vocab <= 0)
        return lf_err(e, LFMRT_E_INVALID, "llama2.c tokenizer: NULL argument or n_vocab %d <= 0", n_vocab);
    memset(v, 0, sizeof *v);
    if (size < 4)
        return lf_err(e, LFMRT_E_FORMAT, "llama2.c tokenizer: %zu bytes, shorter than the 4-byte header", size);
    v->max_len = rd_u32(data);
    v->piece = calloc((size_t)n_vocab, sizeof *v->piece);
    v->len = calloc((size_t)n_vocab, sizeof *v->len);
    v->score = calloc((size_t)n_vocab, sizeof *v->score);
    if (!v->piece || !v->len || !v->score) {
        lf_llama2c_vocab_free(v);
        return lf_err(e, LFMRT_E_NOMEM, "llama2.c tokenizer: out of memory for %d entries", n_vocab);
    }
    size_t off = 4;
    for (int32_t i = 0; i < n_vocab; i++) {
        if (size - off < 8) {
            lf_llama2c_vocab_free(v);
            return lf_err(e, LFMRT_E_FORMAT,
                          "llama2.c tokenizer: truncated at entry %d of %d (byte %zu of %zu): wrong tokenizer "
                          "for this model's vocabulary size?", i, n_vocab, off, size);
        }
        float s = rd_f32(data + off);
        int32_t len = (int32_t)rd_u32(data + off + 4);
        if (!isfinite(s)) {
            lf_llama2c_vocab_free(v);
            return lf_err(e, LFMRT_E_FORMAT, "llama2.c tokenizer: entry %d (byte %zu) has a non-finite score",
                          i, off);
        }
        if (len < 0 || (uint32_t)len > v->max_len || (size_t)len > size - off - 8) {
            const uint32_t max_len = v->max_len;
            lf_llama2c_vocab_free(v);
            return lf_err(e, LFMRT_E_FORMAT,
                          "llama2.c tokenizer: entry %d (byte %zu) has length %d (max_token_length %u, %zu "
                          "bytes left)", i, off, len, max_len, size - off - 8);
        }
        v->score[i] = s;
        v->len[i] = (uint32_t)len;
        v->piece[i] = data + off + 8;
        off += 8 + (size_t)len;
    }
    if (off != size) {
        lf_llama2c_vocab_free(v);
        return lf_err(e, LFMRT_E_FORMAT,
                      "llama2.c tokenizer: %zu trailing bytes after %d entries (byte %zu): wrong tokenizer for "
                      "this model's vocabulary size?", size - off, n_vocab, off);
    }
    v->n = n_vocab;
    return LFMRT_OK;
}

/* ---- GGUF vocabulary ------------------------------------------------------------------------------ */

static bool is_hex_upper(uint8_t ch) { return (ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'F'); }

/* "<0xXX>" exactly (the form llama2.c and SentencePiece use for byte pieces). */
static bool is_byte_piece(const uint8_t *p, uint32_t n) {
    return n == 6 && p[0] == '<' && p[1] == '0' && p[2] == 'x' && is_hex_upper(p[3]) && is_hex_upper(p[4]) &&
           p[5] == '>';
}

/* Token texts (spaces escaped to U+2581, ids 0/1/2 renamed), types, in one arena. */
typedef struct gguf_vocab {
    char *arena;
    const char **text;
    size_t *tlen;
    int32_t *type;
} gguf_vocab;

static void gguf_vocab_free(gguf_vocab *g) {
    free(g->arena);
    free(g->text);
    free(g->tlen);
    free(g->type);
}

static int build_gguf_vocab(const lf_llama2c_vocab *v, gguf_vocab *g, lfmrt_err *e) {
    memset(g, 0, sizeof *g);
    const size_t nv = v->n > 0 ? (size_t)v->n : 1;
    size_t total = 16;
    for (int32_t i = 0; i < v->n; i++) total += 3 * (size_t)v->len[i] + 8;
    g->arena = malloc(total);
    g->text = calloc(nv, sizeof *g->text);
    g->tlen = calloc(nv, sizeof *g->tlen);
    g->type = calloc(nv, sizeof *g->type);
    if (!g->arena || !g->text || !g->tlen || !g->type) {
        gguf_vocab_free(g);
        return lf_err(e, LFMRT_E_NOMEM, "llama2.c convert: out of memory for the vocabulary");
    }
    char *w = g->arena;
    for (int32_t i = 0; i < v->n; i++) {
        const uint8_t *p = v->piece[i];
        uint32_t n = v->len[i];
        char *start = w;
        static const char *const fixed[3] = {"<unk>", "<s>", "</s>"};
        if (i < 3) {
            size_t k = strlen(fixed[i]);
            memcpy(w, fixed[i], k);
            w += k;
            g->type[i] = i == 0 ? TT_UNKNOWN : TT_CONTROL;
        } else {
            g->type[i] = n == 0 ? TT_CONTROL : is_byte_piece(p, n) ? TT_BYTE : TT_NORMAL;
            for (uint32_t j = 0; j < n; j++) {
                if (p[j] == ' ') { /* U+2581 LOWER ONE EIGHTH BLOCK, SentencePiece's space */
                    *w++ = (char)0xE2;
                    *w++ = (char)0x96;
                    *w++ = (char)0x81;
                } else {
                    *w++ = (char)p[j];
                }
            }
        }
        g->text[i] = start;
        g->tlen[i] = (size_t)(w - start);
    }
    return LFMRT_OK;
}

/* ---- tensors -------------------------------------------------------------------------------------- */

typedef struct src_tensor {
    char name[64];
    uint64_t off;   /* in floats from the end of the header */
    uint64_t n;     /* floats */
} src_tensor;

typedef struct fill_ctx {
    const uint8_t *weights; /* checkpoint bytes after the header */
    const src_tensor *t;
    size_t n_t, next;
} fill_ctx;

static int fill_tensor(void *user, const char *name, uint32_t type, const int64_t *ne, void *dst,
                       uint64_t nbytes, lfmrt_err *e) {
    fill_ctx *f = user;
    if (f->next >= f->n_t || strcmp(f->t[f->next].name, name) != 0 || nbytes != 4 * f->t[f->next].n)
        return lf_err(e, LFMRT_E_INVALID, "llama2.c convert: unexpected tensor '%s' requested", name);
    memcpy(dst, f->weights + 4 * f->t[f->next].off, (size_t)nbytes);
    f->next++;
    return LFMRT_OK;
}

/* Offsets of every array in the checkpoint (layout in llama2c.h). */
typedef struct src_layout {
    uint64_t emb, rms_att, wq, wk, wv, wo, rms_ffn, w1, w2, w3, rms_final, wcls;
} src_layout;

static src_layout layout_of(const lf_llama2c_config *c) {
    const uint64_t D = (uint64_t)c->dim, F = (uint64_t)c->hidden_dim, L = (uint64_t)c->n_layers,
                   V = (uint64_t)c->vocab_size, KV = (uint64_t)c->kv_dim;
    src_layout s;
    uint64_t o = 0;
    s.emb = o, o += V * D;
    s.rms_att = o, o += L * D;
    s.wq = o, o += L * D * D;
    s.wk = o, o += L * KV * D;
    s.wv = o, o += L * KV * D;
    s.wo = o, o += L * D * D;
    s.rms_ffn = o, o += L * D;
    s.w1 = o, o += L * F * D;
    s.w2 = o, o += L * D * F;
    s.w3 = o, o += L * F * D;
    s.rms_final = o, o += D;
    o += (uint64_t)c->seq_len * (uint64_t)c->head_size; /* freq_cis_real, freq_cis_imag */
    s.wcls = o;
    return s;
}

/* Adds tensor name {ne0, ne1} (ne1 = 0: 1-D) to the writer and to the source table. */
static int add_t(lf_gguf_writer *w, src_tensor *t, size_t *n_t, const char *name, uint64_t off, int64_t ne0,
                 int64_t ne1, lfmrt_err *e) {
    src_tensor *s = &t[(*n_t)++];
    snprintf(s->name, sizeof s->name, "%s", name);
    s->off = off;
    s->n = (uint64_t)ne0 * (uint64_t)(ne1 ? ne1 : 1);
    const int64_t ne[2] = {ne0, ne1};
    int rc = lf_gguf_writer_add_tensor(w, name, LF_DT_F32, ne1 ? 2 : 1, ne);
    if (rc) return lf_err(e, rc, "llama2.c convert: cannot add tensor '%s'", name);
    return LFMRT_OK;
}

static int add_tensors(lf_gguf_writer *w, const lf_llama2c_config *c, src_tensor *t, size_t *n_t,
                       lfmrt_err *e) {
    const src_layout s = layout_of(c);
    const int64_t D = c->dim, F = c->hidden_dim, V = c->vocab_size, KV = c->kv_dim;
    int rc;
    char nm[64];
    if ((rc = add_t(w, t, n_t, "token_embd.weight", s.emb, D, V, e))) return rc;
    for (int32_t l = 0; l < c->n_layers; l++) {
        const uint64_t L = (uint64_t)l;
#define T(suffix, off, a, b)                                                                              \
    do {                                                                                                 \
        snprintf(nm, sizeof nm, "blk.%d.%s.weight", l, suffix);                                          \
        if ((rc = add_t(w, t, n_t, nm, off, a, b, e))) return rc;                                        \
    } while (0)
        T("attn_norm", s.rms_att + L * (uint64_t)D, D, 0);
        T("attn_q", s.wq + L * (uint64_t)(D * D), D, D);
        T("attn_k", s.wk + L * (uint64_t)(KV * D), D, KV);
        T("attn_v", s.wv + L * (uint64_t)(KV * D), D, KV);
        T("attn_output", s.wo + L * (uint64_t)(D * D), D, D);
        T("ffn_norm", s.rms_ffn + L * (uint64_t)D, D, 0);
        T("ffn_gate", s.w1 + L * (uint64_t)(F * D), D, F);
        T("ffn_down", s.w2 + L * (uint64_t)(D * F), F, D);
        T("ffn_up", s.w3 + L * (uint64_t)(F * D), D, F);
#undef T
    }
    if ((rc = add_t(w, t, n_t, "output_norm.weight", s.rms_final, D, 0, e))) return rc;
    if (!c->shared && (rc = add_t(w, t, n_t, "output.weight", s.wcls, D, V, e))) return rc;
    return LFMRT_OK;
}

/* ---- metadata ------------------------------------------------------------------------------------- */

/* general.name: the file name without folders and a trailing ".bin". */
static void model_name(const char *path, char *out, size_t cap) {
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    size_t n = strlen(b);
    if (n > 4 && strcmp(b + n - 4, ".bin") == 0) n -= 4;
    if (n == 0) b = "llama2c", n = 7;
    snprintf(out, cap, "%.*s", (int)(n < cap ? n : cap - 1), b);
}

static int set_keys(lf_gguf_writer *w, const lf_llama2c_config *c, const gguf_vocab *gv,
                    const lf_llama2c_vocab *v, const char *name) {
    int rc = 0;
    rc = rc ? rc : lf_gguf_writer_set_str(w, "general.architecture", "llama");
    rc = rc ? rc : lf_gguf_writer_set_str(w, "general.name", name);
    rc = rc ? rc : lf_gguf_writer_set_u32(w, "general.file_type", 0); /* LLAMA_FTYPE_ALL_F32 */
    rc = rc ? rc : lf_gguf_writer_set_u32(w, "llama.context_length", (uint32_t)c->seq_len);
    rc = rc ? rc : lf_gguf_writer_set_u32(w, "llama.embedding_length", (uint32_t)c->dim);
    rc = rc ? rc : lf_gguf_writer_set_u32(w, "llama.block_count", (uint32_t)c->n_layers);
    rc = rc ? rc : lf_gguf_writer_set_u32(w, "llama.feed_forward_length", (uint32_t)c->hidden_dim);
    rc = rc ? rc : lf_gguf_writer_set_u32(w, "llama.attention.head_count", (uint32_t)c->n_heads);
    rc = rc ? rc : lf_gguf_writer_set_u32(w, "llama.attention.head_count_kv", (uint32_t)c->n_kv_heads);
    rc = rc ? rc : lf_gguf_writer_set_f32(w, "llama.attention.layer_norm_rms_epsilon", 1e-5f);
    rc = rc ? rc : lf_gguf_writer_set_u32(w, "llama.rope.dimension_count", (uint32_t)c->head_size);
    rc = rc ? rc : lf_gguf_writer_set_f32(w, "llama.rope.freq_base", 10000.0f);
    rc = rc ? rc : lf_gguf_writer_set_u32(w, "llama.vocab_size", (uint32_t)c->vocab_size);
    rc = rc ? rc : lf_gguf_writer_set_str(w, "tokenizer.ggml.model", "llama");
    rc = rc ? rc : lf_gguf_writer_set_arr_str(w, "tokenizer.ggml.tokens", gv->text, gv->tlen, (size_t)v->n);
    rc = rc ? rc : lf_gguf_writer_set_arr_f32(w, "tokenizer.ggml.scores", v->score, (size_t)v->n);
    rc = rc ? rc : lf_gguf_writer_set_arr_i32(w, "tokenizer.ggml.token_type", gv->type, (size_t)v->n);
    rc = rc ? rc : lf_gguf_writer_set_u32(w, "tokenizer.ggml.bos_token_id", 1);
    rc = rc ? rc : lf_gguf_writer_set_u32(w, "tokenizer.ggml.eos_token_id", 2);
    rc = rc ? rc : lf_gguf_writer_set_u32(w, "tokenizer.ggml.unknown_token_id", 0);
    rc = rc ? rc : lf_gguf_writer_set_bool(w, "tokenizer.ggml.add_bos_token", true);
    rc = rc ? rc : lf_gguf_writer_set_bool(w, "tokenizer.ggml.add_eos_token", false);
    rc = rc ? rc : lf_gguf_writer_set_bool(w, "tokenizer.ggml.add_space_prefix", true);
    return rc;
}

/* ---- entry point ---------------------------------------------------------------------------------- */

int lf_llama2c_convert(const char *model_bin, const char *tok_bin, const char *out_gguf, lfmrt_err *e) {
    if (!model_bin || !tok_bin || !out_gguf)
        return lf_err(e, LFMRT_E_INVALID, "llama2.c convert: NULL path (model, tokenizer and output are required)");
    lf_mapfile mm = {0}, tm = {0};
    lf_llama2c_vocab v = {0};
    gguf_vocab gv = {0};
    lf_gguf_writer *w = NULL;
    src_tensor *t = NULL;
    lf_llama2c_config c;
    int rc;
    if ((rc = lf_mapfile_open(model_bin, &mm, e))) goto done;
    if ((rc = lf_llama2c_parse_config(mm.data, mm.size, &c, e))) {
        char msg[sizeof e->msg];
        snprintf(msg, sizeof msg, "%s", e ? e->msg : "");
        rc = lf_err(e, rc, "%s: %s", model_bin, msg);
        goto done;
    }
    if ((rc = lf_mapfile_open(tok_bin, &tm, e))) goto done;
    if ((rc = lf_llama2c_parse_vocab(tm.data, tm.size, c.vocab_size, &v, e))) {
        char msg[sizeof e->msg];
        snprintf(msg, sizeof msg, "%s", e ? e->msg : "");
        rc = lf_err(e, rc, "%s (vocab_size %d from %s): %s", tok_bin, c.vocab_size, model_bin, msg);
        goto done;
    }
    if ((rc = build_gguf_vocab(&v, &gv, e))) goto done;
    w = lf_gguf_writer_create();
    t = calloc((size_t)c.n_layers * 9 + 3, sizeof *t);
    if (!w || !t) {
        rc = lf_err(e, LFMRT_E_NOMEM, "llama2.c convert: out of memory");
        goto done;
    }
    char name[128];
    model_name(model_bin, name, sizeof name);
    if ((rc = set_keys(w, &c, &gv, &v, name))) {
        rc = lf_err(e, rc, "llama2.c convert: cannot set GGUF metadata (%s)", lfmrt_status_name(rc));
        goto done;
    }
    size_t n_t = 0;
    if ((rc = add_tensors(w, &c, t, &n_t, e))) goto done;
    fill_ctx f = {mm.data + LF_LLAMA2C_HEADER_BYTES, t, n_t, 0};
    rc = lf_gguf_writer_write(w, out_gguf, fill_tensor, &f, NULL, NULL, e);
done:
    free(t);
    lf_gguf_writer_destroy(w);
    gguf_vocab_free(&gv);
    lf_llama2c_vocab_free(&v);
    lf_mapfile_close(&tm);
    lf_mapfile_close(&mm);
    return rc;
}
