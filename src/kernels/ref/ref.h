/* kernels/ref/ref.h - scalar reference kernels: the definition of every kernel's result.
 * Names: <op>_<weight type>_<activation type>_ref. Block layouts: format/quant_blocks.h. */
#ifndef LF_KERNELS_REF_H
#define LF_KERNELS_REF_H

#include <stddef.h>
#include <stdint.h>

/* to f32 (dequantize): n is a multiple of the type's block size */
void dequant_row_f32_ref(const void *x, float *y, int64_t n);
void dequant_row_f16_ref(const void *x, float *y, int64_t n);
void dequant_row_bf16_ref(const void *x, float *y, int64_t n);
void dequant_row_q8_0_ref(const void *x, float *y, int64_t n);
void dequant_row_q8_1_ref(const void *x, float *y, int64_t n);
void dequant_row_q4_0_ref(const void *x, float *y, int64_t n);
void dequant_row_q4_1_ref(const void *x, float *y, int64_t n);
void dequant_row_q5_0_ref(const void *x, float *y, int64_t n);
void dequant_row_q5_1_ref(const void *x, float *y, int64_t n);
void dequant_row_q4_k_ref(const void *x, float *y, int64_t n);
void dequant_row_q5_k_ref(const void *x, float *y, int64_t n);
void dequant_row_q6_k_ref(const void *x, float *y, int64_t n);
void dequant_row_q8_k_ref(const void *x, float *y, int64_t n);

/* from f32 (quantize / convert), ggml's reference rounding */
void quantize_row_f32_ref(const float *x, void *y, int64_t n);
void quantize_row_f16_ref(const float *x, void *y, int64_t n);
void quantize_row_bf16_ref(const float *x, void *y, int64_t n);
void quantize_row_q8_0_ref(const float *x, void *y, int64_t n);
void quantize_row_q8_1_ref(const float *x, void *y, int64_t n);
void quantize_row_q4_0_ref(const float *x, void *y, int64_t n);
void quantize_row_q8_k_ref(const float *x, void *y, int64_t n);
/* K-quant weights: a min/max scheme (not ggml's search), error bounds in kernels/ref/qk_ref.c */
void quantize_row_q4_k_ref(const float *x, void *y, int64_t n);
void quantize_row_q5_k_ref(const float *x, void *y, int64_t n);
void quantize_row_q6_k_ref(const float *x, void *y, int64_t n);

/* dot products: *s = sum_i w[i] * a[i]; w in the weight type, a in its vec_dot type */
void dot_f32_f32_ref(int64_t n, float *s, const void *w, const void *a);
void dot_f16_f16_ref(int64_t n, float *s, const void *w, const void *a);
void dot_bf16_bf16_ref(int64_t n, float *s, const void *w, const void *a);
void dot_q8_0_q8_0_ref(int64_t n, float *s, const void *w, const void *a);
void dot_q4_0_q8_0_ref(int64_t n, float *s, const void *w, const void *a);
void dot_q5_0_q8_0_ref(int64_t n, float *s, const void *w, const void *a);
void dot_q4_1_q8_1_ref(int64_t n, float *s, const void *w, const void *a);
void dot_q5_1_q8_1_ref(int64_t n, float *s, const void *w, const void *a);
void dot_q4_k_q8_k_ref(int64_t n, float *s, const void *w, const void *a);
void dot_q5_k_q8_k_ref(int64_t n, float *s, const void *w, const void *a);
void dot_q6_k_q8_k_ref(int64_t n, float *s, const void *w, const void *a);

/* gemv: s[r] = dot(row r of w, a) for r < nrows, rows w_stride bytes apart (lf_gemv_fn contract in
 * kernels/kernels.h). The reference simply loops the matching dot over the rows. */
void gemv_f32_f32_ref(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride, const void *a);
void gemv_f16_f16_ref(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride, const void *a);
void gemv_bf16_bf16_ref(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride,
                        const void *a);
void gemv_q8_0_q8_0_ref(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride,
                        const void *a);
void gemv_q4_0_q8_0_ref(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride,
                        const void *a);
void gemv_q5_0_q8_0_ref(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride,
                        const void *a);
void gemv_q4_1_q8_1_ref(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride,
                        const void *a);
void gemv_q5_1_q8_1_ref(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride,
                        const void *a);
void gemv_q4_k_q8_k_ref(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride,
                        const void *a);
void gemv_q5_k_q8_k_ref(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride,
                        const void *a);
void gemv_q6_k_q8_k_ref(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride,
                        const void *a);

#endif
