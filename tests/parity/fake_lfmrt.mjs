#!/usr/bin/env node
// tests/parity/fake_lfmrt.mjs - stands in for the `lfmrt` binary in the harness self-test: answers
// `eval` and `tokenize` with llama.cpp itself (eval one token per batch, so the numbers differ from the
// reference by llama.cpp's own batch-vs-single noise). FAKE_LFMRT_NO_FULL=1 hides --full-out (the
// top-K path of compare.mjs); FAKE_LFMRT_SHIFT=x adds x to every log-prob (a deliberate failure).
import fs from "node:fs";
import {LlamaPeer, parseArgs, parseIds, readLines, topK} from "./llama_peer.mjs";

const args = parseArgs(process.argv.slice(2));
const cmd = args._[0];
const noFull = process.env.FAKE_LFMRT_NO_FULL === "1";
const shift = Number(process.env.FAKE_LFMRT_SHIFT ?? "0");
if (args.help) {
    if (cmd === "tokenize") console.log("usage: lfmrt tokenize -m M (--text T | --text-file FILE) [--special] [--lines]");
    else console.log("usage: lfmrt eval -m M --tokens 1,2,3 [--positions all] [--top-k K] [--kv-type f32|f16]" +
        (noFull ? "" : " [--full-out FILE]"));
    process.exit(0);
}
if (args["full-out"] && noFull) { console.error("unknown option --full-out"); process.exit(2); }
const peer = await LlamaPeer.create({});
const kv = args["kv-type"] ?? "f32";
await peer.load(args.model, {flash: kv === "f32" ? false : "auto"});
let out;
if (cmd === "tokenize" && args.lines) {
    for (const line of readLines(args["text-file"])) console.log(JSON.stringify({ids: peer.tokenize(line, args.special)}));
    await peer.close();
    process.exit(0);
} else if (cmd === "tokenize") {
    out = {ids: peer.tokenize(args.text === true ? "" : args.text ?? "", args.special)};
} else if (cmd === "eval") {
    const toks = parseIds(args.tokens);
    const rows = await peer.evaluate(toks, {kvType: kv === "f32" ? "f32" : null, flash: kv === "f32" ? false : "auto", batch: 1});
    const k = parseInt(args["top-k"] ?? "10", 10);
    for (const r of rows) for (let i = 0; i < r.logprobs.length; i++) r.logprobs[i] += shift;
    out = {tokens: toks, positions: rows.map((r) => ({pos: r.pos, input: r.input, argmax: r.argmax,
        top: topK(r.logprobs, k).map((id) => ({id, logprob: r.logprobs[id]}))}))};
    if (args["full-out"]) fs.writeFileSync(args["full-out"], Buffer.concat(rows.map((r) => Buffer.from(Float32Array.from(r.logprobs).buffer))));
} else {
    console.error("fake_lfmrt: unsupported command " + cmd);
    process.exit(2);
}
console.log(JSON.stringify(out));
await peer.close();
