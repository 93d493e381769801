/* tokenizer/pretok.h - BPE pre-tokenizers: split text (as code points) into the pieces that BPE then
 * encodes one at a time. Hand-written equivalents of the regexes llama.cpp runs (its hand-coded splitters
 * in unicode.cpp, and std::regex for the rest), so the pieces match llama.cpp's exactly:
 *
 *  GPT2    's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
 *  LLAMA3  (?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
 *          ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
 *  QWEN2   as LLAMA3 with \p{N} (digits one at a time)
 *  DEFAULT llama.cpp's fallback chain, each regex splitting the pieces of the previous one:
 *          [\p{P}\$\+<=>\^~\|]+ , then GPT2 , then \p{N}+ , then [0-9][0-9][0-9]
 *
 * Quirks kept on purpose (they are what llama.cpp does): `\s+(?!\S)` before a non-space takes all but the
 * last whitespace only when the run has 2+ code points; a run that reaches the end of the text is kept
 * whole; in LLAMA3/QWEN2 a single trailing ' ' forms its own piece through the punctuation branch.
 * Code points are classified with lf_ucd_flags (unicode.h); positions past the text have no class.
 */
#ifndef LF_TOKENIZER_PRETOK_H
#define LF_TOKENIZER_PRETOK_H

#include <stddef.h>
#include <stdint.h>

typedef enum lf_pretok_kind {
    LF_PRETOK_DEFAULT = 0,
    LF_PRETOK_GPT2 = 1,
    LF_PRETOK_LLAMA3 = 2,
    LF_PRETOK_QWEN2 = 3,
} lf_pretok_kind;

/* Splits cps[0..n) whose classes are fl[0..n) (fl[i] = lf_ucd_flags(cps[i])). Writes the exclusive end
 * offset (in code points) of every piece, in order, to ends, and returns the number of pieces (0 iff
 * n == 0). ends and scratch must each have room for n entries (every piece is non-empty); scratch is only
 * used by LF_PRETOK_DEFAULT and may be NULL for the others. Pure; thread-safe. */
size_t lf_pretok_split(lf_pretok_kind kind, const uint32_t *cps, const uint16_t *fl, size_t n, uint32_t *ends,
                       uint32_t *scratch);

#endif
