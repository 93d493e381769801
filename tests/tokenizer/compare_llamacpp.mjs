#!/usr/bin/env node
// tests/tokenizer/compare_llamacpp.mjs - llama.cpp's token ids for every line of a corpus, the reference
// side of the tokenizer parity check (tests/tokenizer/parity.sh).
//
// Usage: node compare_llamacpp.mjs --model F.gguf[,G.gguf...] --corpus FILE [--special | --both]
//                                   [--out-dir DIR] [--peer-dir DIR]
//   FILE is split on "\n" (a final empty line is dropped), like `tokvocab tokenize` and tok_compare.mjs.
//   Prints one JSON line per corpus line: {"line": i, "ids": [...]} (no BOS; parse_special = --special);
//   with --both: {"line": i, "ids": [...], "ids_special": [...]}. Several models (comma-separated) need
//   --out-dir: the lines for model M go to DIR/<basename of M>.jsonl (one node start for all of them).
//   The model is loaded vocabulary-only, so a GGUF holding just tokenizer keys (plus its architecture's
//   hyper-parameters) is enough. node-llama-cpp is found in --peer-dir, $PEER_DIR, /tmp/peer or the
//   current directory. Exit 0 ok, 2 usage, 77 when node-llama-cpp is not installed.
import fs from "node:fs";
import path from "node:path";
import process from "node:process";
import {createRequire} from "node:module";
import {pathToFileURL} from "node:url";

const argv = process.argv.slice(2);
const opt = {};
for (let i = 0; i < argv.length; i++) {
    if (!argv[i].startsWith("--")) continue;
    const k = argv[i].slice(2), v = argv[i + 1];
    if (v === undefined || v.startsWith("--")) opt[k] = true;
    else { opt[k] = v; i++; }
}
if (!opt.model || !opt.corpus) {
    console.error("usage: node compare_llamacpp.mjs --model F.gguf --corpus FILE [--special] [--peer-dir DIR]");
    process.exit(2);
}

async function loadNodeLlamaCpp() {
    for (const d of [opt["peer-dir"], process.env.PEER_DIR, "/tmp/peer", process.cwd()]) {
        if (!d || d === true) continue;
        try {
            const req = createRequire(path.join(path.resolve(d), "x.js"));
            return await import(pathToFileURL(req.resolve("node-llama-cpp")).href);
        } catch { /* next */ }
    }
    return null;
}
const nlc = await loadNodeLlamaCpp();
if (!nlc) {
    console.error("SKIP: node-llama-cpp not found (install node-llama-cpp@3.21.1, see shared/peer/README.md)");
    process.exit(77);
}
const llama = await nlc.getLlama({gpu: false, build: "never", usePrebuiltBinaries: true, progressLogs: false,
                                  logLevel: nlc.LlamaLogLevel.error});
const lines = fs.readFileSync(opt.corpus, "utf8").split("\n");
if (lines.length && lines[lines.length - 1] === "") lines.pop();
const models = String(opt.model).split(",");
if (models.length > 1 && !opt["out-dir"]) {
    console.error("compare_llamacpp: several models need --out-dir");
    process.exit(2);
}
for (const m of models) {
    const model = await llama.loadModel({modelPath: path.resolve(m), vocabOnly: true, gpuLayers: 0});
    const out = lines.map((text, i) => {
        const rec = {line: i, ids: Array.from(model.tokenize(text, !!opt.special && !opt.both))};
        if (opt.both) rec.ids_special = Array.from(model.tokenize(text, true));
        return JSON.stringify(rec);
    });
    const doc = out.join("\n") + (out.length ? "\n" : "");
    if (opt["out-dir"]) fs.writeFileSync(path.join(opt["out-dir"], path.basename(m) + ".jsonl"), doc);
    else process.stdout.write(doc);
    await model.dispose();
}
