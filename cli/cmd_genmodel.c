/* cli/gen-model: `lfmrt gen-model` - writes an LFM2, Qwen3, Gemma3 or LLaMA GGUF with deterministic
 * random weights at real dimensions (models/genmodel.h). The file is written as FILE.part and renamed when complete, so a
 * failed or interrupted run never leaves a truncated model under the requested name. Progress goes to
 * stderr: a bar when stderr is a terminal, otherwise a percentage line at most every 2 s.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "common.h"
#include "format/dtype.h"
#include "models/genmodel.h"

static const char *CMD = "gen-model";

static void usage(void) {
    printf("usage: lfmrt gen-model [--arch A] [--preset NAME] [--type T] [--seed S] [--untied]\n"
           "                       [--attn-layers LIST] [--logit-gain G] -o FILE\n"
           "\n"
           "Writes a GGUF model with deterministic random weights at real dimensions (RANDOM WEIGHTS:\n"
           "for tests and benchmarks, it generates no meaningful text). llama.cpp loads it too.\n"
           "\n"
           "options:\n"
           "  --arch A              architecture: lfm2 (default), qwen3, gemma3, llama\n"
           "  --preset NAME         model shape of that architecture (default tiny); --list-presets\n"
           "                        shows them (lfm2-350m, qwen3-0.6b, gemma3-270m, ...)\n"
           "  --type T              weight type: f32 (default), f16, bf16, q8_0, q4_0, q4_k, q5_k, q6_k,\n"
           "                        q4_k_m (llama.cpp's Q4_K_M mix: Q6_K output, some attn_v/ffn_down)\n"
           "  --seed S              seed of weights and vocabulary (default 0)\n"
           "  --untied              write a separate output.weight (default: tied to token_embd)\n"
           "  --logit-gain G        spread of the logits via the final norm (default 1: peaked;\n"
           "                        0.02: flat, robust to quantization noise, used by parity tests)\n"
           "  --attn-layers LIST    lfm2 only: attention layer indices, e.g. 1,3 ('none': all\n"
           "                        conv); default: the preset's\n"
           "  -o, --output FILE     where to write the model\n"
           "  --list-presets        print the presets and exit\n"
           "  -h, --help            this help\n");
}

static void list_presets(void) {
    printf("%-7s %-12s %-12s %6s %6s %5s %5s %4s %6s %7s %5s  %s\n", "arch", "preset", "name", "embd", "layers",
           "heads", "kv", "hd", "ff", "vocab", "swa", "attention layers");
    for (size_t i = 0; i < lf_genmodel_n_presets(); i++) {
        const lf_genmodel_preset *p = lf_genmodel_preset_at(i);
        printf("%-7s %-12s %-12s %6u %6u %5u %5u %4u %6u %7u %5u  %s\n", p->arch, p->name, p->display, p->n_embd,
               p->n_layer, p->n_head, p->n_head_kv, lf_genmodel_head_dim(p), p->n_ff, p->n_vocab, p->n_swa,
               p->attn_layers ? p->attn_layers : "all");
    }
}

typedef struct progress {
    bool tty;
    int last;       /* last percentage shown */
    double t0;      /* start */
    double t_last;  /* when the last line was printed (non-tty) */
} progress;

static void on_progress(void *user, uint64_t done, uint64_t total) {
    progress *p = user;
    int pct = total ? (int)(done * 100 / total) : 100;
    if (p->tty) {
        if (pct == p->last) return;
        p->last = pct;
        enum { W = 40 };
        int fill = pct * W / 100;
        char bar[W + 1];
        for (int i = 0; i < W; i++) bar[i] = i < fill ? '#' : ' ';
        bar[W] = '\0';
        fprintf(stderr, "\r[%s] %3d%%  %.1f / %.1f MiB", bar, pct, (double)done / 1048576.0, (double)total / 1048576.0);
        fflush(stderr);
    } else {
        /* a line per 10 % step, at most every 2 s: quick runs print only the final summary */
        int step = pct / 10 * 10;
        double t = cli_now_ms();
        if (step <= p->last || step == 100 || t - p->t_last < 2000.0) return;
        p->last = step;
        p->t_last = t;
        fprintf(stderr, "lfmrt: gen-model: %d%% (%.1f / %.1f MiB)\n", step, (double)done / 1048576.0,
                (double)total / 1048576.0);
    }
}

int cmd_genmodel(int argc, char **argv) {
    const char *arch = "lfm2", *preset = "tiny", *type = "f32", *attn = NULL, *out = NULL;
    uint64_t seed = 0;
    bool untied = false, list = false;
    float gain = 1.0f;
    cli_args a;
    cli_args_init(&a, CMD, argc, argv, 1);
    int k, rc = 0;
    while ((k = cli_args_next(&a)) != CLI_END) {
        if (k == CLI_POS) return cli_unknown(&a);
        if (cli_is(&a, "-h", "--help")) {
            usage();
            return CLI_OK;
        } else if (cli_is(&a, NULL, "--arch")) rc = cli_val_str(&a, &arch);
        else if (cli_is(&a, NULL, "--preset")) rc = cli_val_str(&a, &preset);
        else if (cli_is(&a, NULL, "--type")) rc = cli_val_str(&a, &type);
        else if (cli_is(&a, NULL, "--seed")) rc = cli_val_u64(&a, &seed);
        else if (cli_is(&a, NULL, "--untied")) rc = cli_flag(&a, &untied);
        else if (cli_is(&a, NULL, "--attn-layers")) rc = cli_val_str(&a, &attn);
        else if (cli_is(&a, NULL, "--logit-gain")) rc = cli_val_float(&a, 1e-4, 100.0, &gain);
        else if (cli_is(&a, "-o", "--output")) rc = cli_val_str(&a, &out);
        else if (cli_is(&a, NULL, "--list-presets")) rc = cli_flag(&a, &list);
        else return cli_unknown(&a);
        if (rc) return rc;
    }
    if (list) {
        list_presets();
        return CLI_OK;
    }
    if (strcmp(arch, "lfm2") != 0 && strcmp(arch, "qwen3") != 0 && strcmp(arch, "gemma3") != 0 &&
        strcmp(arch, "llama") != 0)
        return cli_usage(CMD, "architecture '%s' is not supported by gen-model (supported: lfm2, qwen3, gemma3, llama)",
                         arch);
    if (!lf_genmodel_find_preset_arch(arch, preset)) {
        char names[512] = "";
        size_t o = 0;
        for (size_t i = 0; i < lf_genmodel_n_presets() && o < sizeof names; i++)
            if (strcmp(lf_genmodel_preset_at(i)->arch, arch) == 0)
                o += (size_t)snprintf(names + o, sizeof names - o, "%s%s", o ? ", " : "", lf_genmodel_preset_at(i)->name);
        return cli_usage(CMD, "unknown preset '%s' for %s (presets: %s)", preset, arch, names);
    }
    const bool q4_k_m = strcmp(type, "q4_k_m") == 0 || strcmp(type, "Q4_K_M") == 0;
    int dt = q4_k_m ? (int)LF_DT_Q4_K : lf_dtype_from_name(type);
    if (dt < 0 || lf_genmodel_file_type((uint32_t)dt) < 0)
        return cli_usage(CMD, "option '--type' expects f32, f16, bf16, q8_0, q4_0, q4_k, q5_k, q6_k or q4_k_m, got '%s'",
                         type);
    if (!out) return cli_usage(CMD, "missing -o FILE");

    lf_genmodel_params p;
    lf_genmodel_default_params(&p);
    p.arch = arch;
    p.preset = preset;
    p.wtype = (uint32_t)dt;
    p.mix = q4_k_m ? LF_GENMODEL_MIX_Q4_K_M : LF_GENMODEL_MIX_NONE;
    p.seed = seed;
    p.tied = !untied;
    p.attn_layers = attn;
    p.logit_gain = gain;
    lfmrt_err e;
    memset(&e, 0, sizeof e);
    const lf_genmodel_preset *pr;
    int32_t kv[LF_GENMODEL_MAX_LAYERS];
    uint32_t n_layer;
    int st = lf_genmodel_layout(&p, &pr, kv, &n_layer, &e);
    if (st != LFMRT_OK) return cli_usage(CMD, "%s", e.msg[0] ? e.msg : lfmrt_status_name(st));

    size_t plen = strlen(out);
    char *tmp = malloc(plen + 6);
    if (!tmp) return cli_fail(CMD, "out of memory");
    memcpy(tmp, out, plen);
    memcpy(tmp + plen, ".part", 6);
    progress pg = {isatty(STDERR_FILENO) != 0, -1, cli_now_ms(), cli_now_ms()};
    st = lf_genmodel_write(&p, tmp, on_progress, &pg, &e);
    if (pg.tty) fputc('\n', stderr);
    if (st != LFMRT_OK) {
        unlink(tmp);
        rc = cli_fail(CMD, "cannot write '%s': %s", out, e.msg[0] ? e.msg : lfmrt_status_name(st));
    } else if (rename(tmp, out) != 0) {
        unlink(tmp);
        rc = cli_fail(CMD, "cannot write '%s': rename from '%s' failed", out, tmp);
    } else {
        fprintf(stderr, "lfmrt: gen-model: wrote %s (%s, %s, seed %llu, %s) in %.1f s - random weights\n", out,
                pr->display, q4_k_m ? "Q4_K_M" : lf_dtype_name((uint32_t)dt), (unsigned long long)seed, untied ? "untied" : "tied",
                (cli_now_ms() - pg.t0) / 1000.0);
        rc = CLI_OK;
    }
    free(tmp);
    return rc;
}
