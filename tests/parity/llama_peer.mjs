#!/usr/bin/env node
// tests/parity/llama_peer.mjs - llama.cpp (npm node-llama-cpp@3.21.1, prebuilt CPU binaries) as the
// reference for lfmrt's parity tests. Usable as a command line and as a module (compare.mjs imports it).
//
// Commands (JSON on stdout, llama.cpp logs on stderr):
//   node llama_peer.mjs info     --model M.gguf
//   node llama_peer.mjs vocab    --model M.gguf                 -> {"nVocab", "bos", "eos", "special": [ids]}
//   node llama_peer.mjs tokenize --model M.gguf (--text T | --lines FILE) [--special]
//        --text prints {"ids": [...]} (no BOS, like `lfmrt tokenize`); --lines prints
//        {"results": [{"line": i, "ids": [...]}, ...]} for every line of FILE ("\n"-separated, the
//        trailing empty line after a final newline ignored)
//   node llama_peer.mjs eval     --model M.gguf (--tokens 1,2,3 | --text T [--bos]) [--positions all|last|i,j,-1]
//        [--top-k 10] [--kv-type f32|f16|q8_0] [--flash on|off|auto] [--batch N] [--ctx N] [--full-out FILE]
//        prints the shape `lfmrt eval` prints: {"tokens", "positions": [{"pos", "input", "argmax",
//        "top": [{"id", "logprob"}]}]}; --full-out writes every log-prob as little-endian float32,
//        one row of nVocab values per reported position, in position order.
// Common: --threads N (2), --peer-dir DIR (where node-llama-cpp is installed; else $PEER_DIR, else the
//        working directory, else this file's ../../build/peer), --log warn|info|debug.
//
// Numerics: node-llama-cpp gives no raw logits. With temperature 0 the addon softmaxes the raw logits
// over the whole vocabulary in f32 and returns every probability; ln(p) is log_softmax(logits), which
// is what `lfmrt eval` prints. Probabilities that underflow f32 come back as -Infinity log-probs.
import fs from "node:fs";
import path from "node:path";
import process from "node:process";
import {createRequire} from "node:module";
import {fileURLToPath, pathToFileURL} from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** Imports node-llama-cpp from the first folder that has it. Throws when none does. */
export async function importLlamaCpp(peerDir) {
    const dirs = [peerDir, process.env.PEER_DIR, process.cwd(), path.join(HERE, "..", "..", "build", "peer")]
        .filter(Boolean);
    const tried = [];
    for (const d of dirs) {
        try {
            const req = createRequire(path.join(path.resolve(d), "noop.js"));
            return await import(pathToFileURL(req.resolve("node-llama-cpp")).href);
        } catch (e) { tried.push(d); }
    }
    throw new Error("node-llama-cpp not found in " + tried.join(", ") + " (run scripts/peer-install.sh DIR)");
}

/** The llama.cpp reference: one loaded model, able to tokenize and evaluate token sequences. */
export class LlamaPeer {
    /** opts: {peerDir, threads=2, logLevel="warn"} */
    static async create(opts = {}) {
        const nlc = await importLlamaCpp(opts.peerDir);
        const p = new LlamaPeer();
        p.nlc = nlc;
        p.threads = opts.threads ?? 2;
        p.llama = await nlc.getLlama({
            gpu: false, build: "never", usePrebuiltBinaries: true, maxThreads: p.threads, progressLogs: false,
            logLevel: nlc.LlamaLogLevel[opts.logLevel ?? "warn"] ?? nlc.LlamaLogLevel.warn,
            logger: (level, msg) => process.stderr.write(`[llama ${level}] ${msg}${msg.endsWith("\n") ? "" : "\n"}`)
        });
        return p;
    }

    /** Loads (and replaces) the model. flash: true | false | "auto" (the context default);
     *  vocabOnly: load the tokenizer only (no evaluation possible). */
    async load(modelPath, {flash = "auto", vocabOnly = false} = {}) {
        if (this.model) await this.model.dispose();
        this.modelPath = modelPath;
        this.model = await this.llama.loadModel({modelPath, gpuLayers: 0, useMmap: true, vocabOnly,
            defaultContextFlashAttention: flash});
        return this.model;
    }

    /** {nVocab, bos, eos, special: sorted ids llama.cpp treats as special (control and the like)} */
    vocab() {
        const m = this.model;
        const special = [];
        let n = 0;
        for (const t of m.iterateAllTokens()) { n++; if (m.isSpecialToken(t)) special.push(t); }
        return {nVocab: n, bos: m.tokens.bos ?? null, eos: m.tokens.eos ?? null, special};
    }

    /** Token ids of text without BOS; special=true parses special-token text such as <|im_start|>. */
    tokenize(text, special = false) {
        return Array.from(this.model.tokenize(String(text), !!special));
    }

    /**
     * Evaluates toks in one sequence and returns, for each position in `positions` (ascending, default
     * all), {pos, input, argmax, logprobs: Float64Array(nVocab)}: log_softmax of the logits predicted
     * after the token at pos. opts: {kvType: "f32"|"f16"|"q8_0"|null (llama.cpp default f16),
     * flash: true|false|"auto", batch (default min(ctx, 512)), ctx (default max(256, tokens rounded up))}.
     */
    async evaluate(toks, {positions = null, kvType = null, flash = "auto", batch = null, ctx = null} = {}) {
        const n = toks.length;
        const ctxSize = ctx ?? Math.max(256, Math.ceil((n + 1) / 256) * 256);
        const kv = kvType ? String(kvType).toUpperCase() : null;
        const context = await this.model.createContext({
            contextSize: ctxSize, batchSize: batch ?? Math.min(ctxSize, 512), threads: this.threads, sequences: 1,
            flashAttention: flash,
            ...(kv ? {experimentalKvCacheKeyType: kv, experimentalKvCacheValueType: kv} : {}),
            ignoreMemorySafetyChecks: true
        });
        try {
            const want = new Set(positions ?? [...Array(n).keys()]);
            const gen = {generateNext: {probabilities: true, token: true,
                options: {temperature: 0, topK: 0, topP: 1, minP: 0}}};
            const res = await context.getSequence().controlledEvaluate(toks.map((t, i) => (want.has(i) ? [t, gen] : t)));
            const out = [];
            for (let i = 0; i < n; i++) {
                if (!want.has(i)) continue;
                const probs = res[i]?.next?.probabilities;
                if (probs == null) throw new Error(`llama.cpp returned no distribution at position ${i}`);
                const lp = new Float64Array(probs.size).fill(-Infinity);
                for (const [id, p] of probs) lp[id] = Math.log(p);
                out.push({pos: i, input: toks[i], argmax: res[i].next.token, logprobs: lp});
            }
            return out;
        } finally {
            await context.dispose();
        }
    }

    async close() {
        if (this.model) await this.model.dispose();
        this.model = null;
        if (this.llama) await this.llama.dispose();
        this.llama = null;
    }
}

/** Indices of the k largest values, by descending value (ties: lower id first). */
export function topK(lp, k) {
    const idx = [];
    for (let i = 0; i < lp.length; i++) {
        if (idx.length === k && !(lp[i] > lp[idx[k - 1]])) continue;
        let j = idx.length < k ? idx.length : k - 1;
        if (idx.length < k) idx.push(i);
        while (j > 0 && lp[idx[j - 1]] < lp[i]) { idx[j] = idx[j - 1]; j--; }
        idx[j] = i;
    }
    return idx;
}

export function parseIds(s) {
    return String(s).split(/[ ,]+/).filter((x) => x !== "").map((x) => {
        const v = Number(x);
        if (!Number.isInteger(v)) throw new Error("bad integer '" + x + "'");
        return v;
    });
}

/** Lines of a text file as llama_peer and run_parity.sh see them: split on "\n", no final empty line. */
export function readLines(file) {
    const lines = fs.readFileSync(file, "utf8").split("\n");
    if (lines.length && lines[lines.length - 1] === "") lines.pop();
    return lines;
}

export function parseArgs(argv) {
    const out = {_: []};
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (a.startsWith("--")) {
            const k = a.slice(2);
            const next = argv[i + 1];
            if (next === undefined || (next.startsWith("--") && k !== "text")) out[k] = true;
            else { out[k] = next; i++; }
        } else if (a === "-m") out.model = argv[++i];
        else out._.push(a);
    }
    return out;
}

export function flashArg(v) {
    return v === "on" || v === true ? true : v === "off" ? false : "auto";
}

async function main() {
    const args = parseArgs(process.argv.slice(2));
    const cmd = args._[0];
    if (!cmd || !args.model) {
        console.error("usage: node llama_peer.mjs <info|vocab|tokenize|eval> --model M.gguf [options] (see the file header)");
        process.exit(2);
    }
    let peer;
    try {
        peer = await LlamaPeer.create({peerDir: args["peer-dir"], threads: parseInt(args.threads ?? "2", 10),
            logLevel: args.log});
    } catch (e) {
        console.error("SKIP: llama.cpp peer unavailable: " + e.message);
        process.exit(77);
    }
    let result;
    try {
        await peer.load(args.model, {flash: flashArg(args.flash)});
        const m = peer.model;
        if (cmd === "info") {
            result = {release: peer.llama.llamaCppRelease, systemInfo: peer.llama.systemInfo, model: args.model,
                arch: m.fileInfo?.metadata?.general?.architecture, vocabularyType: m.vocabularyType,
                bos: m.tokens.bos, eos: m.tokens.eos, eot: m.tokens.eot ?? null, sizeBytes: m.size};
        } else if (cmd === "vocab") {
            result = peer.vocab();
        } else if (cmd === "tokenize") {
            if (args.lines) {
                result = {results: readLines(args.lines).map((t, i) => ({line: i, ids: peer.tokenize(t, args.special)}))};
            } else {
                result = {ids: peer.tokenize(args.text === true ? "" : (args.text ?? ""), args.special)};
            }
        } else if (cmd === "eval") {
            let toks;
            if (args.tokens) toks = parseIds(args.tokens);
            else if (args.text !== undefined) toks = peer.tokenize(args.text === true ? "" : args.text, args.special);
            else throw new Error("eval needs --tokens or --text");
            if (args.bos && m.tokens.bos != null) toks = [m.tokens.bos, ...toks];
            const n = toks.length;
            const p = String(args.positions ?? "all");
            const positions = p === "all" ? null : p === "last" ? [n - 1]
                : [...new Set(parseIds(p).map((i) => (i < 0 ? n + i : i)).filter((i) => i >= 0 && i < n))].sort((a, b) => a - b);
            const k = parseInt(args["top-k"] ?? "10", 10);
            const rows = await peer.evaluate(toks, {positions, kvType: args["kv-type"], flash: flashArg(args.flash),
                batch: args.batch ? parseInt(args.batch, 10) : null, ctx: args.ctx ? parseInt(args.ctx, 10) : null});
            result = {tokens: toks, positions: rows.map((r) => ({pos: r.pos, input: r.input, argmax: r.argmax,
                top: topK(r.logprobs, k).map((id) => ({id, logprob: r.logprobs[id]}))}))};
            if (args["full-out"]) {
                const fd = fs.openSync(args["full-out"], "w");
                for (const r of rows) fs.writeSync(fd, Buffer.from(Float32Array.from(r.logprobs).buffer));
                fs.closeSync(fd);
            }
        } else {
            throw new Error("unknown command " + cmd);
        }
    } catch (e) {
        console.error("llama_peer: " + (e?.stack ?? e));
        await peer.close();
        process.exit(1);
    }
    console.log(JSON.stringify(result));
    await peer.close();
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
