/* format/dtype.c - the dtype table (MODEL-SPEC section 4/5). */
#include "format/dtype.h"

#include <ctype.h>

static const lf_dtype_info k_dtypes[LF_DT_COUNT] = {
    [LF_DT_F32] = {"F32", 1, 4, true},
    [LF_DT_F16] = {"F16", 1, 2, true},
    [LF_DT_Q4_0] = {"Q4_0", 32, 18, true},
    [LF_DT_Q4_1] = {"Q4_1", 32, 20, true},
    [LF_DT_Q5_0] = {"Q5_0", 32, 22, true},
    [LF_DT_Q5_1] = {"Q5_1", 32, 24, true},
    [LF_DT_Q8_0] = {"Q8_0", 32, 34, true},
    [LF_DT_Q8_1] = {"Q8_1", 32, 36, false},
    [LF_DT_Q2_K] = {"Q2_K", 256, 84, false},
    [LF_DT_Q3_K] = {"Q3_K", 256, 110, false},
    [LF_DT_Q4_K] = {"Q4_K", 256, 144, true},
    [LF_DT_Q5_K] = {"Q5_K", 256, 176, true},
    [LF_DT_Q6_K] = {"Q6_K", 256, 210, true},
    [LF_DT_Q8_K] = {"Q8_K", 256, 292, false},
    [16] = {"IQ2_XXS", 256, 66, false},
    [17] = {"IQ2_XS", 256, 74, false},
    [18] = {"IQ3_XXS", 256, 98, false},
    [19] = {"IQ1_S", 256, 50, false},
    [20] = {"IQ4_NL", 32, 18, false},
    [21] = {"IQ3_S", 256, 110, false},
    [22] = {"IQ2_S", 256, 82, false},
    [23] = {"IQ4_XS", 256, 136, false},
    [24] = {"I8", 1, 1, false},
    [25] = {"I16", 1, 2, false},
    [26] = {"I32", 1, 4, false},
    [27] = {"I64", 1, 8, false},
    [28] = {"F64", 1, 8, false},
    [29] = {"IQ1_M", 256, 56, false},
    [LF_DT_BF16] = {"BF16", 1, 2, true},
};

const lf_dtype_info *lf_dtype_get(uint32_t type) {
    if (type >= LF_DT_COUNT || !k_dtypes[type].name) return NULL;
    return &k_dtypes[type];
}

const char *lf_dtype_name(uint32_t type) {
    const lf_dtype_info *i = lf_dtype_get(type);
    return i ? i->name : "?";
}

int lf_dtype_from_name(const char *name) {
    for (int t = 0; t < LF_DT_COUNT; t++) {
        const char *n = k_dtypes[t].name;
        if (!n) continue;
        size_t i = 0;
        while (n[i] && name[i] && toupper((unsigned char)name[i]) == n[i]) i++;
        if (!n[i] && !name[i]) return t;
    }
    return -1;
}

bool lf_dtype_row_size(uint32_t type, int64_t ne0, size_t *out) {
    const lf_dtype_info *i = lf_dtype_get(type);
    if (!i || ne0 < 0 || ne0 % i->blck != 0) return false;
    *out = (size_t)(ne0 / i->blck) * i->type_size;
    return true;
}
