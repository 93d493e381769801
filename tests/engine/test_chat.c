/* tests/engine/test_chat.c - built-in chat templates (engine/chat.h, lfmrt_chat_apply[_ex]) against exact
 * strings. The expected strings were rendered from the real Jinja templates (data/templates/
 * Qwen-Qwen3-0.6B.jinja, Gemma3's tokenizer_config.json chat_template, data/lfm2/chat_template.jinja)
 * with Python jinja2 3.1 and bos_token = "" (the tokenizer adds BOS; MODEL-SPEC 1.7 / 2.4 / 3.5).
 * Cases: Qwen3 thinking on/off, earlier reasoning stripped, reasoning kept after the last real query,
 * tool responses, late system turns; Gemma3 system folding, model role, trimming, alternation;
 * LFM2 ChatML. Also template detection from the real template texts, truncation and bad input. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/chat.h"
#include "models/genmodel.h"
#include "testutil.h"

static void check(lf_chat_kind k, const lfmrt_chat_msg *msgs, size_t n, unsigned flags, const char *want) {
    char buf[4096];
    int len = lf_chat_render(k, msgs, n, flags, NULL, buf, sizeof buf);
    if (len < 0 || strcmp(buf, want) != 0) {
        fprintf(stderr, "got:  [%s]\nwant: [%s]\n", len >= 0 ? buf : "(error)", want);
        fail();
    }
    assert_int_equal(len, (int)strlen(want));
}

static void test_q1(void **state) {
    (void)state;
    static const lfmrt_chat_msg msgs[] = {
        {"system", "You are helpful."},
        {"user", "Hi"}};
    check(LF_CHAT_QWEN3, msgs, sizeof msgs / sizeof msgs[0], LFMRT_CHAT_ADD_GENERATION_PROMPT,
          "<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
}

static void test_q2(void **state) {
    (void)state;
    static const lfmrt_chat_msg msgs[] = {
        {"system", "You are helpful."},
        {"user", "Hi"}};
    check(LF_CHAT_QWEN3, msgs, sizeof msgs / sizeof msgs[0], LFMRT_CHAT_ADD_GENERATION_PROMPT|LFMRT_CHAT_NO_THINKING,
          "<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n");
}

static void test_q3(void **state) {
    (void)state;
    static const lfmrt_chat_msg msgs[] = {
        {"user", "What is 2+2?"},
        {"assistant", "<think>\nadd them\n</think>\n\n4"},
        {"user", "And 3+3?"}};
    check(LF_CHAT_QWEN3, msgs, sizeof msgs / sizeof msgs[0], LFMRT_CHAT_ADD_GENERATION_PROMPT,
          "<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n4<|im_end|>\n<|im_start|>user\nAnd 3+3?<|im_end|>\n<|im_start|>assistant\n");
}

static void test_q4(void **state) {
    (void)state;
    static const lfmrt_chat_msg msgs[] = {
        {"user", "q"},
        {"assistant", "<think>\nr1\n\n</think>\n\n\na"}};
    check(LF_CHAT_QWEN3, msgs, sizeof msgs / sizeof msgs[0], 0,
          "<|im_start|>user\nq<|im_end|>\n<|im_start|>assistant\n<think>\nr1\n</think>\n\na<|im_end|>\n");
}

static void test_q5(void **state) {
    (void)state;
    static const lfmrt_chat_msg msgs[] = {
        {"user", "weather?"},
        {"assistant", "calling"},
        {"tool", "{\"t\":20}"},
        {"tool", "ok"}};
    check(LF_CHAT_QWEN3, msgs, sizeof msgs / sizeof msgs[0], LFMRT_CHAT_ADD_GENERATION_PROMPT,
          "<|im_start|>user\nweather?<|im_end|>\n<|im_start|>assistant\ncalling<|im_end|>\n<|im_start|>user\n<tool_response>\n{\"t\":20}\n</tool_response>\n<tool_response>\nok\n</tool_response><|im_end|>\n<|im_start|>assistant\n");
}

static void test_q6(void **state) {
    (void)state;
    static const lfmrt_chat_msg msgs[] = {
        {"user", "x"},
        {"assistant", "y"}};
    check(LF_CHAT_QWEN3, msgs, sizeof msgs / sizeof msgs[0], 0,
          "<|im_start|>user\nx<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\ny<|im_end|>\n");
}

static void test_q7(void **state) {
    (void)state;
    static const lfmrt_chat_msg msgs[] = {
        {"system", "S"},
        {"user", "u1"},
        {"assistant", "<think>x</think>a1"},
        {"user", "<tool_response>\nr\n</tool_response>"},
        {"assistant", "<think>\nplan\n</think>\n\nfinal"},
        {"system", "late"}};
    check(LF_CHAT_QWEN3, msgs, sizeof msgs / sizeof msgs[0], LFMRT_CHAT_ADD_GENERATION_PROMPT|LFMRT_CHAT_NO_THINKING,
          "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nu1<|im_end|>\n<|im_start|>assistant\n<think>\nx\n</think>\n\na1<|im_end|>\n<|im_start|>user\n<tool_response>\nr\n</tool_response><|im_end|>\n<|im_start|>assistant\n<think>\nplan\n</think>\n\nfinal<|im_end|>\n<|im_start|>system\nlate<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n");
}

static void test_g1(void **state) {
    (void)state;
    static const lfmrt_chat_msg msgs[] = {
        {"system", "Be brief."},
        {"user", "Hi"},
        {"assistant", " Hello! "},
        {"user", "Bye"}};
    check(LF_CHAT_GEMMA3, msgs, sizeof msgs / sizeof msgs[0], LFMRT_CHAT_ADD_GENERATION_PROMPT,
          "<start_of_turn>user\nBe brief.\n\nHi<end_of_turn>\n<start_of_turn>model\nHello!<end_of_turn>\n<start_of_turn>user\nBye<end_of_turn>\n<start_of_turn>model\n");
}

static void test_g2(void **state) {
    (void)state;
    static const lfmrt_chat_msg msgs[] = {
        {"user", "  Hi there \n"}};
    check(LF_CHAT_GEMMA3, msgs, sizeof msgs / sizeof msgs[0], LFMRT_CHAT_ADD_GENERATION_PROMPT,
          "<start_of_turn>user\nHi there<end_of_turn>\n<start_of_turn>model\n");
}

static void test_g4(void **state) {
    (void)state;
    static const lfmrt_chat_msg msgs[] = {
        {"user", "a"},
        {"assistant", "b"}};
    check(LF_CHAT_GEMMA3, msgs, sizeof msgs / sizeof msgs[0], 0,
          "<start_of_turn>user\na<end_of_turn>\n<start_of_turn>model\nb<end_of_turn>\n");
}

static void test_l1(void **state) {
    (void)state;
    static const lfmrt_chat_msg msgs[] = {
        {"system", "You are a helpful assistant trained by Liquid AI."},
        {"user", "What is C. elegans?"}};
    check(LF_CHAT_CHATML, msgs, sizeof msgs / sizeof msgs[0], LFMRT_CHAT_ADD_GENERATION_PROMPT,
          "<|im_start|>system\nYou are a helpful assistant trained by Liquid AI.<|im_end|>\n<|im_start|>user\nWhat is C. elegans?<|im_end|>\n<|im_start|>assistant\n");
}

static void test_gemma3_alternation(void **state) {
    (void)state;
    const lfmrt_chat_msg two_users[] = {{"user", "a"}, {"user", "b"}};
    char buf[256];
    assert_int_equal(lf_chat_render(LF_CHAT_GEMMA3, two_users, 2, LFMRT_CHAT_ADD_GENERATION_PROMPT, NULL, buf, sizeof buf),
                     LFMRT_E_INVALID);
    const lfmrt_chat_msg starts_assistant[] = {{"system", "s"}, {"assistant", "a"}};
    assert_int_equal(lf_chat_render(LF_CHAT_GEMMA3, starts_assistant, 2, 0, NULL, buf, sizeof buf), LFMRT_E_INVALID);
    /* a lone system message: nothing to fold it into, so nothing but the generation prompt */
    const lfmrt_chat_msg sys_only[] = {{"system", "s"}};
    assert_int_equal(lf_chat_render(LF_CHAT_GEMMA3, sys_only, 1, LFMRT_CHAT_ADD_GENERATION_PROMPT, NULL, buf, sizeof buf),
                     21);
    assert_string_equal(buf, "<start_of_turn>model\n");
}

/* BOS text (passed only when the tokenizer does not add BOS) comes first, once */
static void test_bos_text(void **state) {
    (void)state;
    const lfmrt_chat_msg m[] = {{"user", "Hi"}};
    char buf[256];
    int n = lf_chat_render(LF_CHAT_GEMMA3, m, 1, LFMRT_CHAT_ADD_GENERATION_PROMPT, "<bos>", buf, sizeof buf);
    assert_int_equal(n, (int)strlen(buf));
    assert_string_equal(buf, "<bos><start_of_turn>user\nHi<end_of_turn>\n<start_of_turn>model\n");
    n = lf_chat_render(LF_CHAT_CHATML, m, 1, 0, "<|startoftext|>", buf, sizeof buf);
    assert_string_equal(buf, "<|startoftext|><|im_start|>user\nHi<|im_end|>\n");
}

static void test_truncation_and_errors(void **state) {
    (void)state;
    const lfmrt_chat_msg m[] = {{"user", "Hello there"}};
    char buf[8];
    int need = lf_chat_render(LF_CHAT_CHATML, m, 1, LFMRT_CHAT_ADD_GENERATION_PROMPT, NULL, NULL, 0);
    assert_int_equal(need, (int)strlen("<|im_start|>user\nHello there<|im_end|>\n<|im_start|>assistant\n"));
    assert_int_equal(lf_chat_render(LF_CHAT_CHATML, m, 1, LFMRT_CHAT_ADD_GENERATION_PROMPT, NULL, buf, sizeof buf), need);
    assert_string_equal(buf, "<|im_st"); /* truncated to cap - 1 bytes, NUL-terminated */
    const lfmrt_chat_msg bad[] = {{"user", NULL}};
    assert_int_equal(lf_chat_render(LF_CHAT_QWEN3, bad, 1, 0, NULL, buf, sizeof buf), LFMRT_E_INVALID);
    assert_int_equal(lf_chat_render(LF_CHAT_QWEN3, NULL, 1, 0, NULL, buf, sizeof buf), LFMRT_E_INVALID);
    /* the public entry points without a model: ChatML, BOS text never written */
    char big[256];
    assert_int_equal(lfmrt_chat_apply(NULL, m, 1, true, big, sizeof big), need);
    assert_int_equal(strncmp(big, "<|im_start|>user\n", 17), 0);
    assert_int_equal(lfmrt_chat_apply_ex(NULL, m, 1, 0, big, sizeof big), need - 22);
    assert_string_equal(lfmrt_chat_template_name(NULL), "chatml");
}

static char *read_data(const char *dir, const char *rel) {
    char p[1024];
    snprintf(p, sizeof p, "%s/%s", dir, rel);
    char *s = lf_test_read_file(p, NULL);
    assert_non_null(s);
    return s;
}

static void test_detect(void **state) {
    (void)state;
    /* by architecture when there is no template */
    assert_int_equal(lf_chat_detect("qwen3", NULL, 0), LF_CHAT_QWEN3);
    assert_int_equal(lf_chat_detect("gemma3", NULL, 0), LF_CHAT_GEMMA3);
    assert_int_equal(lf_chat_detect("lfm2", NULL, 0), LF_CHAT_CHATML);
    assert_int_equal(lf_chat_detect(NULL, NULL, 0), LF_CHAT_CHATML);
    assert_string_equal(lf_chat_kind_name(LF_CHAT_GEMMA3), "gemma3");
    /* the template text wins over the architecture */
    const char *gem = "{{ bos_token }}<start_of_turn>user\n";
    assert_int_equal(lf_chat_detect("qwen3", gem, strlen(gem)), LF_CHAT_GEMMA3);
    const char *dir = lf_test_data_dir("chat templates");
    if (!dir) skip();
    struct { const char *rel; lf_chat_kind want; } files[] = {
        {"templates/Qwen-Qwen3-0.6B.jinja", LF_CHAT_QWEN3},  {"templates/LFM2-8B-A1B.jinja", LF_CHAT_CHATML},
        {"templates/LFM2.5-8B-A1B.jinja", LF_CHAT_CHATML},   {"templates/LFM2.5-Instruct.jinja", LF_CHAT_CHATML},
        {"lfm2/chat_template.jinja", LF_CHAT_CHATML},        {"tokenizers/gemma3/tokenizer_config.json", LF_CHAT_GEMMA3},
        {"tokenizers/qwen3/tokenizer_config.json", LF_CHAT_QWEN3},
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char *t = read_data(dir, files[i].rel);
        if (lf_chat_detect("lfm2", t, strlen(t)) != files[i].want) fail_msg("%s detected wrongly", files[i].rel);
        free(t);
    }
}

/* Real model files (tiny generated ones): the template follows the file. LFM2's carries its ChatML
 * template and adds BOS itself (no BOS text); Qwen3's and Gemma3's carry none, so the architecture
 * decides; Gemma3's tokenizer adds BOS (no <bos> text either). */
static void test_model_files(void **state) {
    (void)state;
    static const struct { const char *arch, *name, *want; } cases[] = {
        {"lfm2", "chatml", "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"},
        {"qwen3", "qwen3", "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n"},
        {"gemma3", "gemma3", "<start_of_turn>user\nHi<end_of_turn>\n<start_of_turn>model\n"},
    };
    const lfmrt_chat_msg m[] = {{"user", "Hi"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[1024], buf[512];
        snprintf(path, sizeof path, "%s/chat-%s.gguf", lf_test_tmp_dir(), cases[i].arch);
        lf_genmodel_params p;
        lf_genmodel_default_params(&p);
        p.arch = cases[i].arch;
        lfmrt_err e = {0};
        if (lf_genmodel_write(&p, path, NULL, NULL, &e) != LFMRT_OK) fail_msg("gen %s: %s", cases[i].arch, e.msg);
        lfmrt_model *model = NULL;
        lfmrt_model_params mp = lfmrt_model_default_params();
        mp.n_threads = 1;
        if (lfmrt_model_open(path, &mp, &model, &e) != LFMRT_OK) fail_msg("open %s: %s", cases[i].arch, e.msg);
        assert_string_equal(lfmrt_chat_template_name(model), cases[i].name);
        int n = lfmrt_chat_apply_ex(model, m, 1, LFMRT_CHAT_ADD_GENERATION_PROMPT | LFMRT_CHAT_NO_THINKING, buf,
                                    sizeof buf);
        assert_int_equal(n, (int)strlen(cases[i].want));
        assert_string_equal(buf, cases[i].want);
        lfmrt_model_close(model);
        remove(path);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_q1), cmocka_unit_test(test_q2), cmocka_unit_test(test_q3), cmocka_unit_test(test_q4), cmocka_unit_test(test_q5), cmocka_unit_test(test_q6), cmocka_unit_test(test_q7), cmocka_unit_test(test_g1), cmocka_unit_test(test_g2), cmocka_unit_test(test_g4), cmocka_unit_test(test_l1),
        cmocka_unit_test(test_gemma3_alternation),
        cmocka_unit_test(test_bos_text),
        cmocka_unit_test(test_truncation_and_errors),
        cmocka_unit_test(test_detect),
        cmocka_unit_test(test_model_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
