/* cli/eval: `lfmrt eval` - next-token log-probabilities as JSON, in the reference peer's shape:
 *   {"tokens":[...],"positions":[{"pos":i,"input":id,"argmax":id,"top":[{"id":..,"logprob":..},..]},..]}
 * logprob is the log-softmax over the full vocabulary of the distribution predicted after the token at
 * pos (normaliser in double), top is sorted by descending logprob (ties: lower id first), --tokens are
 * used as given (no BOS). Positions are deduplicated and listed in ascending order; out-of-range ones
 * are dropped (as the peer does), but an empty selection is an error.
 * --full-out FILE also writes the full log-softmax rows of the printed positions, in order, as raw
 * little-endian float32 (n_positions x n_vocab), for the parity harness (tests/parity/compare.mjs).
 * Memory: the prompt is prefilled in chunks whose all-token logits fit in 64 MiB, and logits are asked
 * for only in chunks holding a requested position.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "common.h"
#include "json_out.h"

static const char *CMD = "eval";

static void usage(void) {
    printf("usage: lfmrt eval -m MODEL (--tokens 1,2,3 | --text TEXT [--bos] [--special])\n"
           "                  [--positions all|last|i,j,-1] [--top-k K] [--kv-type f32|f16]\n"
           "\n"
           "Runs the tokens through the model and prints, for each selected position, the log-softmax\n"
           "of the next-token distribution as JSON:\n"
           "  {\"tokens\":[...],\"positions\":[{\"pos\":i,\"input\":id,\"argmax\":id,\n"
           "    \"top\":[{\"id\":id,\"logprob\":x},...]},...]}\n"
           "\n"
           "options:\n"
           "  -m, --model FILE      GGUF model\n"
           "  --tokens LIST         token ids, comma or space separated, used as given (no BOS)\n"
           "  --text TEXT           text to tokenize instead of --tokens\n"
           "  --bos                 with --text: prepend the model's BOS token\n"
           "  --special             with --text: parse special-token text such as <|im_start|>\n"
           "  --positions P         all (default), last, or a list of indices (negative: from the end)\n"
           "  --top-k K             entries in each \"top\" list (default 10)\n"
           "  --kv-type T           KV cache type: f16 (default, as llama.cpp) or f32\n"
           "  --full-out FILE       also write every printed position's full log-softmax row to FILE\n"
           "                        (raw float32, positions x vocabulary)\n"
           "  --ctx N               context size (default: the number of tokens)\n"
           "  -t, --threads N       worker threads (default: LFMRT_THREADS or all cores)\n"
           "  -h, --help            this help\n");
}

typedef struct top_item {
    int32_t id;
    float logit;
} top_item;

static int item_before(const top_item *a, const top_item *b) {
    return a->logit > b->logit || (a->logit == b->logit && a->id < b->id);
}

static int cmp_items(const void *pa, const void *pb) {
    const top_item *a = pa, *b = pb;
    return item_before(a, b) ? -1 : item_before(b, a) ? 1 : 0;
}

/* top[0..k) = the k largest logits, sorted; k <= n_vocab. scratch has n_vocab items when k > 64. */
static void top_k(const float *l, int32_t nv, int k, top_item *top, top_item *scratch) {
    if (k <= 0) return;
    if (k > 64) {
        for (int32_t i = 0; i < nv; i++) scratch[i] = (top_item){i, isnan(l[i]) ? -INFINITY : l[i]};
        qsort(scratch, (size_t)nv, sizeof *scratch, cmp_items);
        memcpy(top, scratch, (size_t)k * sizeof *top);
        return;
    }
    int n = 0;
    for (int32_t i = 0; i < nv; i++) {
        top_item it = {i, isnan(l[i]) ? -INFINITY : l[i]};
        if (n == k && !item_before(&it, &top[n - 1])) continue;
        int j = n < k ? n++ : k - 1;
        while (j > 0 && item_before(&it, &top[j - 1])) {
            top[j] = top[j - 1];
            j--;
        }
        top[j] = it;
    }
}

/* prints one position; with full != NULL also writes the row's log-probs there (row: nv floats scratch).
 * Returns false if writing full failed. */
static bool print_position(FILE *out, int pos, int32_t input, const float *l, int32_t nv, int k,
                           top_item *top, top_item *scratch, bool first, FILE *full, float *row) {
    double mx = -INFINITY;
    for (int32_t i = 0; i < nv; i++)
        if (l[i] > mx) mx = l[i];
    double sum = 0.0;
    for (int32_t i = 0; i < nv; i++) sum += exp((double)l[i] - mx);
    double lse = mx + log(sum);
    top_item best;
    top_k(l, nv, 1, &best, scratch);
    top_k(l, nv, k, top, scratch);
    fprintf(out, "%s\n{\"pos\":%d,\"input\":%d,\"argmax\":%d,\"top\":[", first ? "" : ",", pos, (int)input,
            (int)best.id);
    for (int i = 0; i < k; i++) {
        fprintf(out, "%s{\"id\":%d,\"logprob\":", i ? "," : "", (int)top[i].id);
        json_num(out, (double)top[i].logit - lse);
        fputc('}', out);
    }
    fputs("]}", out);
    if (!full) return true;
    for (int32_t i = 0; i < nv; i++) row[i] = (float)((double)l[i] - lse);
    return fwrite(row, sizeof *row, (size_t)nv, full) == (size_t)nv;
}

/* resolves the --positions spec into flags want[0..n) */
static int resolve_positions(const char *spec, int n, unsigned char *want) {
    memset(want, 0, (size_t)n);
    if (!strcmp(spec, "all")) {
        memset(want, 1, (size_t)n);
        return CLI_OK;
    }
    if (!strcmp(spec, "last")) {
        want[n - 1] = 1;
        return CLI_OK;
    }
    int64_t *v;
    size_t nv;
    const char *bad;
    if (!cli_parse_int_list(spec, &v, &nv, &bad))
        return cli_usage(CMD, "option '--positions' expects all, last or a list of integers, got '%s'", spec);
    int any = 0;
    for (size_t i = 0; i < nv; i++) {
        int64_t p = v[i] < 0 ? n + v[i] : v[i];
        if (p >= 0 && p < n) any = want[p] = 1;
    }
    free(v);
    if (!any) return cli_usage(CMD, "no position in '%s' lies within the %d tokens", spec, n);
    return CLI_OK;
}

int cmd_eval(int argc, char **argv) {
    const char *model = NULL, *tokens_s = NULL, *text = NULL, *positions = "all", *kv = "f16";
    const char *full_path = NULL;
    bool bos = false, special = false;
    int k = 10, ctx = 0, threads = cli_default_threads();
    cli_args a;
    cli_args_init(&a, CMD, argc, argv, 1);
    int kind, rc = 0;
    while ((kind = cli_args_next(&a)) != CLI_END) {
        if (kind == CLI_POS) return cli_unknown(&a);
        if (cli_is(&a, "-h", "--help")) {
            usage();
            return CLI_OK;
        } else if (cli_is(&a, "-m", "--model")) rc = cli_val_str(&a, &model);
        else if (cli_is(&a, NULL, "--tokens")) rc = cli_val_str(&a, &tokens_s);
        else if (cli_is(&a, NULL, "--text")) rc = cli_val_str(&a, &text);
        else if (cli_is(&a, NULL, "--bos")) rc = cli_flag(&a, &bos);
        else if (cli_is(&a, NULL, "--special")) rc = cli_flag(&a, &special);
        else if (cli_is(&a, NULL, "--positions")) rc = cli_val_str(&a, &positions);
        else if (cli_is(&a, NULL, "--top-k")) rc = cli_val_int(&a, 0, 1 << 30, &k);
        else if (cli_is(&a, NULL, "--kv-type")) rc = cli_val_str(&a, &kv);
        else if (cli_is(&a, NULL, "--full-out")) rc = cli_val_str(&a, &full_path);
        else if (cli_is(&a, "-c", "--ctx")) rc = cli_val_int(&a, 1, 1 << 24, &ctx);
        else if (cli_is(&a, "-t", "--threads")) rc = cli_val_int(&a, 1, 1024, &threads);
        else return cli_unknown(&a);
        if (rc) return rc;
    }
    if (!model) return cli_usage(CMD, "missing -m MODEL");
    if (!tokens_s && !text) return cli_usage(CMD, "missing --tokens LIST or --text TEXT");
    if (tokens_s && text) return cli_usage(CMD, "give either --tokens or --text, not both");
    if (tokens_s && (bos || special)) return cli_usage(CMD, "--bos and --special apply to --text only");
    lfmrt_kv_type kv_type;
    if (!strcmp(kv, "f16")) kv_type = LFMRT_KV_F16;
    else if (!strcmp(kv, "f32")) kv_type = LFMRT_KV_F32;
    else return cli_usage(CMD, "option '--kv-type' expects f16 or f32, got '%s'", kv);
    int64_t *given = NULL;
    size_t n_given = 0;
    if (tokens_s) {
        const char *bad;
        if (!cli_parse_int_list(tokens_s, &given, &n_given, &bad))
            return cli_usage(CMD, "option '--tokens' expects a list of token ids, got '%s'", tokens_s);
    }

    lfmrt_model *m = NULL;
    lfmrt_session *s = NULL;
    int32_t *toks = NULL;
    unsigned char *want = NULL;
    float *logits = NULL;
    top_item *top = NULL, *scratch = NULL;
    size_t n = 0;
    FILE *out = NULL, *full = NULL;
    float *row = NULL;
    char *out_buf = NULL;
    size_t out_len = 0;
    rc = cli_open_model(CMD, model, threads, &m);
    if (rc) goto done;
    /* the steady state: every product through the layout it will keep (Q4_K's packed gemm sums in another
     * order than its file-layout kernels, so logits would otherwise depend on when the repack finished) */
    lfmrt_model_finish_repack(m);
    const int32_t nv = lfmrt_vocab_size(m);
    if (given) {
        toks = malloc((n_given ? n_given : 1) * sizeof *toks);
        if (!toks) {
            rc = cli_fail(CMD, "out of memory");
            goto done;
        }
        for (size_t i = 0; i < n_given; i++) {
            if (given[i] < 0 || given[i] >= nv) {
                rc = cli_usage(CMD, "token id %lld is out of range (the vocabulary has %d tokens)",
                               (long long)given[i], (int)nv);
                goto done;
            }
            toks[i] = (int32_t)given[i];
        }
        n = n_given;
    } else {
        int32_t *ids;
        size_t nt;
        rc = cli_tokenize(CMD, m, text, strlen(text), special, &ids, &nt);
        if (rc) goto done;
        int32_t b = lfmrt_token_bos(m);
        int add = bos && b >= 0;
        toks = malloc((nt + 1) * sizeof *toks);
        if (!toks) {
            free(ids);
            rc = cli_fail(CMD, "out of memory");
            goto done;
        }
        if (add) toks[0] = b;
        if (nt) memcpy(toks + add, ids, nt * sizeof *ids);
        free(ids);
        n = nt + (size_t)add;
    }
    if (n == 0) {
        rc = cli_usage(CMD, "no tokens to evaluate (the text is empty)");
        goto done;
    }
    if (n > (1u << 24)) {
        rc = cli_usage(CMD, "too many tokens (%zu)", n);
        goto done;
    }
    want = malloc(n);
    if (!want) {
        rc = cli_fail(CMD, "out of memory");
        goto done;
    }
    rc = resolve_positions(positions, (int)n, want);
    if (rc) goto done;
    if (k > nv) k = nv;

    lfmrt_session_params sp = lfmrt_session_default_params();
    sp.n_ctx = ctx ? ctx : (int)n;
    sp.kv_type = kv_type;
    if ((size_t)sp.n_ctx < n) {
        rc = cli_usage(CMD, "%zu tokens do not fit in --ctx %d", n, sp.n_ctx);
        goto done;
    }
    lfmrt_err e;
    memset(&e, 0, sizeof e);
    int st = lfmrt_session_create(m, &sp, &s, &e);
    if (st != LFMRT_OK) {
        rc = cli_fail(CMD, "cannot create a session: %s", e.msg[0] ? e.msg : lfmrt_status_name(st));
        goto done;
    }
    /* chunk so that chunk * n_vocab floats stay within 64 MiB */
    size_t chunk = ((size_t)64 << 20) / ((size_t)nv * sizeof(float));
    if (chunk < 1) chunk = 1;
    if (chunk > (size_t)sp.n_batch && sp.n_batch > 0) chunk = (size_t)sp.n_batch;
    if (chunk > n) chunk = n;
    logits = malloc(chunk * (size_t)nv * sizeof *logits);
    top = malloc(((size_t)k + 1) * sizeof *top);
    scratch = k > 64 ? malloc((size_t)nv * sizeof *scratch) : NULL;
    if (!logits || !top || (k > 64 && !scratch)) {
        rc = cli_fail(CMD, "out of memory for %zu x %d logits", chunk, (int)nv);
        goto done;
    }
    if (full_path) {
        row = malloc((size_t)nv * sizeof *row);
        full = fopen(full_path, "wb");
        if (!row || !full) {
            rc = row ? cli_fail(CMD, "cannot open '%s' for writing: %s", full_path, strerror(errno))
                     : cli_fail(CMD, "out of memory");
            goto done;
        }
    }
    /* the JSON is collected in memory and printed only once complete */
    out = open_memstream(&out_buf, &out_len);
    if (!out) {
        rc = cli_fail(CMD, "out of memory");
        goto done;
    }
    fputs("{\"tokens\":", out);
    json_ids(out, toks, n);
    fputs(",\"positions\":[", out);
    bool first = true;
    for (size_t c0 = 0; c0 < n; c0 += chunk) {
        size_t cn = n - c0 < chunk ? n - c0 : chunk;
        bool any = false, inner = false;
        for (size_t i = c0; i < c0 + cn; i++) {
            any |= want[i] != 0;
            inner |= want[i] && i + 1 < c0 + cn;
        }
        st = lfmrt_session_prefill(s, toks + c0, (int)cn, any && !inner ? logits : NULL, inner ? logits : NULL, &e);
        if (st != LFMRT_OK) {
            rc = cli_fail(CMD, "evaluation failed at token %zu: %s", c0, e.msg[0] ? e.msg : lfmrt_status_name(st));
            goto done;
        }
        for (size_t i = c0; i < c0 + cn; i++) {
            if (!want[i]) continue;
            const float *lrow = inner ? logits + (i - c0) * (size_t)nv : logits;
            if (!print_position(out, (int)i, toks[i], lrow, nv, k, top, scratch, first, full, row)) {
                rc = cli_fail(CMD, "cannot write '%s'", full_path);
                goto done;
            }
            first = false;
        }
    }
    fputs("\n]}\n", out);
    if (fclose(out) != 0) {
        out = NULL;
        rc = cli_fail(CMD, "out of memory");
        goto done;
    }
    out = NULL;
    if (full) {
        int bad = fclose(full);
        full = NULL;
        if (bad) {
            rc = cli_fail(CMD, "cannot write '%s'", full_path);
            goto done;
        }
    }
    fwrite(out_buf, 1, out_len, stdout);
    rc = CLI_OK;
done:
    if (out) fclose(out);
    if (full) fclose(full);
    if (rc != CLI_OK && full_path && row) remove(full_path);
    free(row);
    free(out_buf);
    free(given);
    free(toks);
    free(want);
    free(logits);
    free(top);
    free(scratch);
    lfmrt_session_destroy(s);
    lfmrt_model_close(m);
    return rc;
}
