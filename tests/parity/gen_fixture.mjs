#!/usr/bin/env node
// tests/parity/gen_fixture.mjs - writes a tiny random-weight LFM2 GGUF with no help from lfmrt.
//
// Purpose: the parity harness must be testable on its own (llama.cpp against itself) before and
// independently of `lfmrt gen-model`. The file follows ../../shared/docs/MODEL-SPEC.md §1 (tensor
// names, shapes, keys) with a small byte-level BPE vocabulary: LFM2's 14 named specials at their
// real ids, the 256 GPT-2 byte tokens, then merges learned from a built-in sentence list.
//
// Usage: node gen_fixture.mjs -o FILE [--type f32|f16] [--seed N] [--attn-layers 1,3] [--layers 4]
//        [--embd 64] [--heads 4] [--kv-heads 2] [--ff 128] [--merges 96] [--untied]
import fs from "node:fs";

function parseArgs(argv) {
    const out = {};
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (a === "-o") { out.o = argv[++i]; continue; }
        if (!a.startsWith("--")) throw new Error("unexpected argument " + a);
        const next = argv[i + 1];
        if (next === undefined || next.startsWith("--")) out[a.slice(2)] = true;
        else { out[a.slice(2)] = next; i++; }
    }
    return out;
}
const args = parseArgs(process.argv.slice(2));
if (!args.o) { console.error("usage: node gen_fixture.mjs -o FILE [--type f32|f16] [--seed N] ..."); process.exit(2); }
const type = String(args.type ?? "f32");
if (type !== "f32" && type !== "f16") { console.error("gen_fixture: --type must be f32 or f16"); process.exit(2); }
const nLayer = parseInt(args.layers ?? "4", 10);
const H = parseInt(args.embd ?? "64", 10);
const nHead = parseInt(args.heads ?? "4", 10);
const nKv = parseInt(args["kv-heads"] ?? "2", 10);
const F = parseInt(args.ff ?? "128", 10);
const attn = new Set(String(args["attn-layers"] ?? "1,3").split(",").filter(Boolean).map(Number));
const hd = H / nHead;

// ---- deterministic PRNG (splitmix64 -> uniform / normal) ----------------------------------------
let state = BigInt.asUintN(64, BigInt(args.seed ?? "1") * 0x9E3779B97F4A7C15n + 1n);
function next64() {
    state = BigInt.asUintN(64, state + 0x9E3779B97F4A7C15n);
    let z = state;
    z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xBF58476D1CE4E5B9n);
    z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94D049BB133111EBn);
    return z ^ (z >> 31n);
}
const uni = () => Number(next64() >> 11n) / 2 ** 53; // [0, 1)
const normal = () => Math.sqrt(-2 * Math.log(1 - uni())) * Math.cos(2 * Math.PI * uni());

// ---- vocabulary ----------------------------------------------------------------------------------
const byteToUni = (() => {
    const bs = [];
    for (let b = 33; b <= 126; b++) bs.push(b);
    for (let b = 161; b <= 172; b++) bs.push(b);
    for (let b = 174; b <= 255; b++) bs.push(b);
    const cs = bs.slice();
    let n = 0;
    for (let b = 0; b < 256; b++) if (!bs.includes(b)) { bs.push(b); cs.push(256 + n); n++; }
    const m = new Array(256);
    bs.forEach((b, i) => { m[b] = String.fromCodePoint(cs[i]); });
    return m;
})();
const specials = ["<|pad|>", "<|startoftext|>", "<|endoftext|>", "<|fim_pre|>", "<|fim_mid|>", "<|fim_suf|>",
    "<|im_start|>", "<|im_end|>", "<|tool_list_start|>", "<|tool_list_end|>", "<|tool_call_start|>",
    "<|tool_call_end|>", "<|tool_response_start|>", "<|tool_response_end|>"];
const tokens = [...specials];
const types = specials.map(() => 3); // CONTROL
for (let b = 0; b < 256; b++) { tokens.push(byteToUni[b]); types.push(1); }
const corpus = [
    "The quick brown fox jumps over the lazy dog.", "Hello world, this is a small test of the tokenizer.",
    "Once upon a time there was a little model that wanted to run on the edge.",
    "int main(void) { return 0; }", "Numbers like 12345 and 3.14159 appear in text.",
    "Le renard brun saute par-dessus le chien paresseux.", "Der schnelle braune Fuchs springt.",
];
// byte-level pre-split on spaces (enough to learn merges; llama.cpp does the real pre-tokenization)
let words = [];
for (const line of corpus) for (const w of line.split(/(?= )/)) words.push([...Buffer.from(w, "utf8")].map((b) => byteToUni[b]));
const merges = [];
const nMerges = parseInt(args.merges ?? "96", 10);
const have = new Set(tokens);
while (merges.length < nMerges) {
    const counts = new Map();
    for (const w of words) for (let i = 0; i + 1 < w.length; i++) {
        const k = w[i] + " " + w[i + 1];
        counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    let best = null, bestN = 1;
    for (const [k, n] of counts) if (n > bestN || (n === bestN && best !== null && k < best)) { best = k; bestN = n; }
    if (best === null) break;
    const [l, r] = best.split(" ");
    merges.push(best);
    if (!have.has(l + r)) { tokens.push(l + r); types.push(1); have.add(l + r); }
    words = words.map((w) => {
        const o = [];
        for (let i = 0; i < w.length; i++) {
            if (i + 1 < w.length && w[i] === l && w[i + 1] === r) { o.push(l + r); i++; } else o.push(w[i]);
        }
        return o;
    });
}
const V = tokens.length;

// ---- GGUF writer ---------------------------------------------------------------------------------
const T = {U32: 4, I32: 5, F32: 6, BOOL: 7, STR: 8, ARR: 9};
const chunks = [];
let size = 0;
const put = (b) => { chunks.push(b); size += b.length; };
const u32 = (v) => { const b = Buffer.alloc(4); b.writeUInt32LE(v); put(b); };
const u64 = (v) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(v)); put(b); };
const str = (s) => { const b = Buffer.from(s, "utf8"); u64(b.length); put(b); };
const kvs = [];
const kv = (key, t, v, et) => kvs.push({key, t, v, et});
kv("general.architecture", T.STR, "lfm2");
kv("general.name", T.STR, "lfmrt parity fixture (random weights)");
kv("general.alignment", T.U32, 32);
kv("lfm2.block_count", T.U32, nLayer);
kv("lfm2.context_length", T.U32, 4096);
kv("lfm2.embedding_length", T.U32, H);
kv("lfm2.feed_forward_length", T.U32, F);
kv("lfm2.vocab_size", T.U32, V);
kv("lfm2.attention.head_count", T.U32, nHead);
kv("lfm2.attention.head_count_kv", T.ARR, [...Array(nLayer).keys()].map((i) => (attn.has(i) ? nKv : 0)), T.I32);
kv("lfm2.attention.layer_norm_rms_epsilon", T.F32, 1e-5);
kv("lfm2.rope.freq_base", T.F32, 1e6);
kv("lfm2.shortconv.l_cache", T.U32, 3);
kv("tokenizer.ggml.model", T.STR, "gpt2");
kv("tokenizer.ggml.pre", T.STR, "lfm2");
kv("tokenizer.ggml.tokens", T.ARR, tokens, T.STR);
kv("tokenizer.ggml.token_type", T.ARR, types, T.I32);
kv("tokenizer.ggml.merges", T.ARR, merges, T.STR);
kv("tokenizer.ggml.bos_token_id", T.U32, 1);
kv("tokenizer.ggml.eos_token_id", T.U32, 7);
kv("tokenizer.ggml.padding_token_id", T.U32, 0);
kv("tokenizer.ggml.add_bos_token", T.BOOL, true);
kv("tokenizer.ggml.add_eos_token", T.BOOL, false);

function putVal(t, v) {
    if (t === T.U32) u32(v);
    else if (t === T.I32) { const b = Buffer.alloc(4); b.writeInt32LE(v); put(b); }
    else if (t === T.F32) { const b = Buffer.alloc(4); b.writeFloatLE(v); put(b); }
    else if (t === T.BOOL) put(Buffer.from([v ? 1 : 0]));
    else if (t === T.STR) str(v);
    else throw new Error("type " + t);
}

// tensors: name, ne (fastest first), values generator; 1-D norms and the conv kernel stay F32
const tensors = [];
const big = type === "f16" ? 1 : 0;
const mat = (name, ne, scale) => tensors.push({name, ne, type: big, scale});
const vec = (name, ne, mk) => tensors.push({name, ne, type: 0, mk});
mat("token_embd.weight", [H, V], 0.25);
vec("token_embd_norm.weight", [H], () => 1 + 0.1 * normal());
if (args.untied) mat("output.weight", [H, V], 0.25);
for (let l = 0; l < nLayer; l++) {
    const p = `blk.${l}.`;
    vec(p + "attn_norm.weight", [H], () => 1 + 0.1 * normal());
    vec(p + "ffn_norm.weight", [H], () => 1 + 0.1 * normal());
    mat(p + "ffn_gate.weight", [H, F], 1 / Math.sqrt(H));
    mat(p + "ffn_up.weight", [H, F], 1 / Math.sqrt(H));
    mat(p + "ffn_down.weight", [F, H], 1 / Math.sqrt(F));
    if (attn.has(l)) {
        mat(p + "attn_q.weight", [H, H], 1 / Math.sqrt(H));
        mat(p + "attn_k.weight", [H, nKv * hd], 1 / Math.sqrt(H));
        mat(p + "attn_v.weight", [H, nKv * hd], 1 / Math.sqrt(H));
        mat(p + "attn_output.weight", [H, H], 1 / Math.sqrt(H));
        vec(p + "attn_q_norm.weight", [hd], () => 1 + 0.1 * normal());
        vec(p + "attn_k_norm.weight", [hd], () => 1 + 0.1 * normal());
    } else {
        mat(p + "shortconv.in_proj.weight", [H, 3 * H], 1 / Math.sqrt(H));
        vec(p + "shortconv.conv.weight", [3, H], () => 0.5 * normal());
        mat(p + "shortconv.out_proj.weight", [H, H], 1 / Math.sqrt(H));
    }
}

function f32ToF16(v) {
    const f = new Float32Array([v]);
    const x = new Uint32Array(f.buffer)[0];
    const sign = (x >>> 16) & 0x8000;
    let e = ((x >>> 23) & 0xff) - 127 + 15;
    let m = x & 0x7fffff;
    if (e <= 0) { // subnormal (values here are never that small in practice)
        if (e < -10) return sign;
        m = (m | 0x800000) >> (1 - e);
        return sign | ((m + 0x1000) >> 13);
    }
    if (e >= 31) return sign | 0x7c00;
    let h = sign | (e << 10) | (m >> 13);
    const rest = m & 0x1fff; // round to nearest even
    if (rest > 0x1000 || (rest === 0x1000 && (h & 1))) h++;
    return h;
}

const align = 32;
const pad = (n) => (n + align - 1) & ~(align - 1);
let off = 0;
for (const t of tensors) {
    const n = t.ne.reduce((a, b) => a * b, 1);
    t.n = n;
    t.bytes = n * (t.type === 1 ? 2 : 4);
    t.off = off;
    off = pad(off + t.bytes);
}

put(Buffer.from("GGUF", "latin1"));
u32(3);
u64(tensors.length);
u64(kvs.length);
for (const {key, t, v, et} of kvs) {
    str(key);
    u32(t);
    if (t === T.ARR) { u32(et); u64(v.length); for (const x of v) putVal(et, x); } else putVal(t, v);
}
for (const t of tensors) {
    str(t.name);
    u32(t.ne.length);
    for (const d of t.ne) u64(d);
    u32(t.type);
    u64(t.off);
}
put(Buffer.alloc(pad(size) - size));
const dataStart = size;
for (const t of tensors) {
    const b = Buffer.alloc(t.bytes);
    for (let i = 0; i < t.n; i++) {
        const v = t.mk ? t.mk() : t.scale * normal();
        if (t.type === 1) b.writeUInt16LE(f32ToF16(v), 2 * i); else b.writeFloatLE(v, 4 * i);
    }
    put(b);
    const end = pad(size - dataStart) + dataStart;
    put(Buffer.alloc(end - size));
}
fs.writeFileSync(args.o, Buffer.concat(chunks));
console.error(`gen_fixture: wrote ${args.o} (lfm2, ${type}, V=${V}, H=${H}, layers=${nLayer}, attn=${[...attn]}, ${size} bytes)`);
