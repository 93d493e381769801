/* kernels/ref/gemv_ref.c - reference gemv: one dot per output row (kernels/kernels.h lf_gemv_fn).
 * Results are bit-identical to calling the matching dot_*_ref row by row. */
#include "kernels/kernels.h"
#include "kernels/ref/ref.h"

static void gemv_rows(lf_dot_fn dot, int64_t n, int64_t nrows, float *s, const void *w,
                      size_t w_stride, const void *a) {
    const char *row = w;
    for (int64_t r = 0; r < nrows; r++, row += w_stride) dot(n, &s[r], row, a);
}

void gemv_f32_f32_ref(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride, const void *a) {
    gemv_rows(dot_f32_f32_ref, n, nrows, s, w, w_stride, a);
}
void gemv_f16_f16_ref(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride, const void *a) {
    gemv_rows(dot_f16_f16_ref, n, nrows, s, w, w_stride, a);
}
void gemv_bf16_bf16_ref(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride,
                        const void *a) {
    gemv_rows(dot_bf16_bf16_ref, n, nrows, s, w, w_stride, a);
}
void gemv_q8_0_q8_0_ref(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride,
                        const void *a) {
    gemv_rows(dot_q8_0_q8_0_ref, n, nrows, s, w, w_stride, a);
}
void gemv_q4_0_q8_0_ref(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride,
                        const void *a) {
    gemv_rows(dot_q4_0_q8_0_ref, n, nrows, s, w, w_stride, a);
}
void gemv_q5_0_q8_0_ref(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride,
                        const void *a) {
    gemv_rows(dot_q5_0_q8_0_ref, n, nrows, s, w, w_stride, a);
}
void gemv_q4_1_q8_1_ref(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride,
                        const void *a) {
    gemv_rows(dot_q4_1_q8_1_ref, n, nrows, s, w, w_stride, a);
}
void gemv_q5_1_q8_1_ref(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride,
                        const void *a) {
    gemv_rows(dot_q5_1_q8_1_ref, n, nrows, s, w, w_stride, a);
}
void gemv_q4_k_q8_k_ref(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride,
                        const void *a) {
    gemv_rows(dot_q4_k_q8_k_ref, n, nrows, s, w, w_stride, a);
}
void gemv_q5_k_q8_k_ref(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride,
                        const void *a) {
    gemv_rows(dot_q5_k_q8_k_ref, n, nrows, s, w, w_stride, a);
}
void gemv_q6_k_q8_k_ref(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride,
                        const void *a) {
    gemv_rows(dot_q6_k_q8_k_ref, n, nrows, s, w, w_stride, a);
}
