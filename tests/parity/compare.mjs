#!/usr/bin/env node
// tests/parity/compare.mjs - log-prob parity of `lfmrt eval` against llama.cpp on one GGUF file.
//
// Usage:
//   node compare.mjs --bin LFMRT --model M.gguf [--type LABEL] [--kv f32|f16] [--tol T]
//        [--tokens 1,2,3 | --n-tokens 96 --seed S] [--top 10] [--our-k 64] [--full on|off|auto]
//        [--peer-dir DIR] [--threads 2] [--self]
// --kv f32: llama.cpp runs with an F32 KV cache and flash attention off, lfmrt with --kv-type f32
//           (default tolerance 2e-3); --kv f16: llama.cpp defaults (F16 KV, flash auto), lfmrt with
//           --kv-type f16 (default tolerance 5e-2).
// --self:   "ours" is llama.cpp again, evaluating one token per batch (checks the harness itself).
// Tokens: by default 1 BOS then n-1 pseudo-random ids (seeded) drawn from the ids llama.cpp does not
// treat as special.
//
// Checks, at every position:
//   1. for each id of llama.cpp's top-`top` (10): |ours(id) - llama(id)| <= tol; ours(id) comes from
//      lfmrt's --full-out file when lfmrt has that option (--full auto), else from its top-`our-k`
//      list; an id outside that list counts as a failure unless llama(id) - tol > our K-th value
//      (then it is a certain failure with a known lower bound on the difference) - "unresolved" ids
//      are reported separately and fail the case;
//   2. for each id of our top-`top`: |ours(id) - llama(id)| <= tol (llama's full distribution);
//   3. argmax agreement wherever llama.cpp's top-2 margin > 2*tol.
// Prints one JSON line {model, type, kv, n_tokens, max_abs_diff, argmax_agree, argmax_checked, pass, ...};
// `spread` is the median over positions of llama.cpp's top-1 minus top-10 log-prob: when it is not well
// above tol, the case cannot tell a right engine from a wrong one (a warning is printed). `null_diff` is
// the median |diff| a wrong answer would get (llama.cpp's previous position's distribution in place of
// ours): a case discriminates only when null_diff is well above tol.
// details of failures go to stderr. Exit 0 pass, 1 fail, 77 when the llama.cpp peer is unavailable.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {spawnSync} from "node:child_process";
import {LlamaPeer, parseArgs, parseIds, topK} from "./llama_peer.mjs";

const args = parseArgs(process.argv.slice(2));
const kv = String(args.kv ?? "f32");
if (!args.model || (!args.bin && !args.self) || (kv !== "f32" && kv !== "f16")) {
    console.error("usage: node compare.mjs --bin LFMRT --model M.gguf [--kv f32|f16] [--tol T] [--n-tokens 96 --seed S] (see header)");
    process.exit(2);
}
const tol = Number(args.tol ?? (kv === "f32" ? 2e-3 : 5e-2));
const nTop = parseInt(args.top ?? "10", 10);
const ourK = parseInt(args["our-k"] ?? "64", 10);
const flash = kv === "f32" ? false : "auto";
const llamaKv = kv === "f32" ? "f32" : null; // null: llama.cpp's default (f16)
const t0 = Date.now();

let peer;
try {
    peer = await LlamaPeer.create({peerDir: args["peer-dir"], threads: parseInt(args.threads ?? "2", 10)});
} catch (e) {
    console.error("SKIP: llama.cpp peer unavailable: " + e.message);
    process.exit(77);
}

function fail(msg) {
    console.error("compare: " + msg);
    process.exitCode = 1;
}

// deterministic token sequence: BOS, then ids that are not special
function makeTokens(vocab, n, seed) {
    const special = new Set(vocab.special);
    const normal = [];
    for (let i = 0; i < vocab.nVocab; i++) if (!special.has(i)) normal.push(i);
    let s = (BigInt(seed) * 6364136223846793005n + 1442695040888963407n) & 0xFFFFFFFFFFFFFFFFn;
    const out = [vocab.bos ?? 1];
    while (out.length < n) {
        s = (s * 6364136223846793005n + 1442695040888963407n) & 0xFFFFFFFFFFFFFFFFn;
        out.push(normal[Number(s >> 33n) % normal.length]);
    }
    return out;
}

// Runs `lfmrt eval` and returns rows [{pos, argmax, full: Float32Array|null, top: Map id->logprob, kth}]
function runOurs(bin, model, toks, nVocab) {
    let useFull = args.full === "on";
    if (args.full === undefined || args.full === "auto") {
        const h = spawnSync(bin, ["eval", "--help"], {encoding: "utf8"});
        useFull = /--full-out/.test((h.stdout ?? "") + (h.stderr ?? ""));
    }
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "lfmrt-parity-"));
    const fullPath = path.join(tmp, "ours.f32");
    const argv = ["eval", "-m", model, "--tokens", toks.join(","), "--positions", "all", "--top-k", String(ourK),
        "--kv-type", kv];
    if (useFull) argv.push("--full-out", fullPath);
    const r = spawnSync(bin, argv, {encoding: "utf8", maxBuffer: 1 << 30});
    try {
        if (r.error) throw new Error(`cannot run ${bin}: ${r.error.message}`);
        if (r.status !== 0) throw new Error(`${bin} ${argv.slice(0, 3).join(" ")} ... exited ${r.status}: ${(r.stderr ?? "").trim().slice(-2000)}`);
        let j;
        try { j = JSON.parse(r.stdout); } catch (e) { throw new Error(`lfmrt eval printed no JSON: ${e.message}: ${r.stdout.slice(0, 300)}`); }
        if (!Array.isArray(j.positions)) throw new Error("lfmrt eval JSON has no positions array");
        if (Array.isArray(j.tokens) && j.tokens.join(",") !== toks.join(",")) throw new Error("lfmrt eval echoed other tokens than given");
        let full = null;
        if (useFull) {
            const b = fs.readFileSync(fullPath);
            const nRows = j.positions.length;
            if (b.length !== nRows * nVocab * 4) throw new Error(`--full-out file has ${b.length} bytes, want ${nRows}x${nVocab}x4`);
            full = new Float32Array(b.buffer, b.byteOffset, nRows * nVocab);
        }
        return {useFull, rows: j.positions.map((p, i) => {
            const top = new Map((p.top ?? []).map((e) => [e.id, e.logprob]));
            const vals = [...top.values()];
            return {pos: p.pos, argmax: p.argmax ?? p.top?.[0]?.id, top,
                kth: top.size >= ourK ? Math.min(...vals) : -Infinity, // list complete up to its size otherwise
                full: full ? full.subarray(i * nVocab, (i + 1) * nVocab) : null};
        })};
    } finally {
        fs.rmSync(tmp, {recursive: true, force: true});
    }
}

let summary;
try {
    await peer.load(args.model, {flash});
    const vocab = peer.vocab();
    const toks = args.tokens ? parseIds(args.tokens) : makeTokens(vocab, parseInt(args["n-tokens"] ?? "96", 10),
        parseInt(args.seed ?? "1", 10));
    const refBatch = args["ref-batch"] ? parseInt(args["ref-batch"], 10) : null;
    const ref = await peer.evaluate(toks, {kvType: llamaKv, flash, batch: refBatch});

    let ours;
    if (args.self) {
        const rows = await peer.evaluate(toks, {kvType: llamaKv, flash, batch: 1});
        ours = {useFull: true, rows: rows.map((r) => ({pos: r.pos, argmax: r.argmax, full: r.logprobs,
            top: new Map(topK(r.logprobs, ourK).map((id) => [id, r.logprobs[id]])), kth: -Infinity}))};
    } else {
        ours = runOurs(args.bin, args.model, toks, vocab.nVocab);
    }

    let maxDiff = 0, worst = null, agree = 0, checked = 0, unresolved = 0, bad = 0;
    const nulls = []; // max |diff| over llama's top ids between consecutive positions (a wrong answer's size)
    const spreads = []; // llama's top-1 minus top-`nTop` log-prob, per position: how much there is to compare
    const note = (d, pos, id, o, l) => {
        if (d > tol) { bad++; if (bad <= 10) console.error(`  pos ${pos} id ${id}: ours ${o} llama ${l} |diff| ${d.toExponential(3)} > ${tol}`); }
        if (d > maxDiff || Number.isNaN(d)) { maxDiff = Number.isNaN(d) ? Infinity : d; worst = {pos, id, ours: o, llama: l}; }
    };
    if (ours.rows.length !== ref.length) throw new Error(`lfmrt reported ${ours.rows.length} positions, llama.cpp ${ref.length}`);
    for (let i = 0; i < ref.length; i++) {
        const L = ref[i], O = ours.rows[i];
        if (O.pos !== L.pos) throw new Error(`position ${i}: lfmrt says pos ${O.pos}, want ${L.pos}`);
        const ourVal = (id) => (O.full ? O.full[id] : O.top.has(id) ? O.top.get(id) : undefined);
        const lTop = topK(L.logprobs, nTop);
        for (const id of lTop) { // 1. llama's top ids
            const o = ourVal(id), l = L.logprobs[id];
            if (o !== undefined) note(Math.abs(o - l), L.pos, id, o, l);
            else if (l - tol > O.kth) note(l - O.kth, L.pos, id, `< ${O.kth}`, l);
            else { unresolved++; if (unresolved <= 5) console.error(`  pos ${L.pos} id ${id}: not in lfmrt's top-${ourK}, cannot check (llama ${l})`); }
        }
        const oTop = O.full ? topK(O.full, nTop) : [...O.top.entries()].sort((a, b) => b[1] - a[1]).slice(0, nTop).map((e) => e[0]);
        const seen = new Set(lTop);
        for (const id of oTop) if (!seen.has(id)) note(Math.abs(ourVal(id) - L.logprobs[id]), L.pos, id, ourVal(id), L.logprobs[id]); // 2.
        spreads.push(L.logprobs[lTop[0]] - L.logprobs[lTop[lTop.length - 1]]);
        if (i > 0) { // null model: the previous position's distribution as a stand-in for a wrong engine
            let m = 0;
            for (const id of lTop) m = Math.max(m, Math.abs(ref[i - 1].logprobs[id] - L.logprobs[id]));
            nulls.push(m);
        }
        const margin = L.logprobs[lTop[0]] - L.logprobs[lTop[1]]; // 3.
        if (margin > 2 * tol) {
            checked++;
            if (O.argmax === lTop[0]) agree++;
            else if (checked - agree <= 5) console.error(`  pos ${L.pos}: argmax ours ${O.argmax} llama ${lTop[0]} (margin ${margin.toFixed(4)})`);
        }
    }
    const pass = maxDiff <= tol && unresolved === 0 && agree === checked;
    spreads.sort((a, b) => a - b);
    const spread = spreads.length ? spreads[spreads.length >> 1] : 0;
    nulls.sort((a, b) => a - b);
    const nullDiff = nulls.length ? nulls[nulls.length >> 1] : 0;
    if (nullDiff < 4 * tol)
        console.error(`compare: WARNING: weak case: a wrong answer (the previous position's distribution) differs by only ` +
            `${nullDiff.toFixed(4)} (median), under 4x the tolerance ${tol}; top-${nTop} span ${spread.toFixed(4)}`);
    summary = {model: path.basename(args.model), type: args.type ?? null, kv, n_tokens: toks.length,
        max_abs_diff: Number(maxDiff.toPrecision(4)), argmax_agree: agree, argmax_checked: checked, pass,
        tol, spread: Number(spread.toPrecision(4)), null_diff: Number(nullDiff.toPrecision(4)), unresolved, ours_full: ours.useFull, worst, ms: Date.now() - t0};
    if (!pass) process.exitCode = 1;
} catch (e) {
    fail(e?.message ?? String(e));
    summary = {model: path.basename(args.model), type: args.type ?? null, kv, n_tokens: null, max_abs_diff: null,
        argmax_agree: 0, argmax_checked: 0, pass: false, error: String(e?.message ?? e).slice(0, 500), ms: Date.now() - t0};
}
console.log(JSON.stringify(summary));
await peer.close();
