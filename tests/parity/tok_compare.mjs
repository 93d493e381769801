#!/usr/bin/env node
// tests/parity/tok_compare.mjs - tokenizer parity of `lfmrt tokenize` against llama.cpp.
//
// Usage: node tok_compare.mjs --bin LFMRT --model M.gguf --corpus FILE [--special on|off|both] [--peer-dir DIR]
// For every line of FILE ("\n"-separated; no final empty line), lfmrt must give the ids llama.cpp gives
// for the same text (no BOS). When `lfmrt tokenize` has --lines, the whole file goes through one
// `lfmrt tokenize -m M --text-file FILE --lines [--special]` (one JSON object per line) and the first
// --text-lines (8) lines also through `--text LINE`; otherwise every line through `--text LINE`.
// Prints one JSON line per mode {check: "tokenize", model, special, lines, mismatches, pass}; the first
// mismatches go to stderr.
// Exit 0 all pass, 1 any mismatch or error, 77 when the llama.cpp peer is unavailable.
import path from "node:path";
import {spawnSync} from "node:child_process";
import {LlamaPeer, parseArgs, readLines} from "./llama_peer.mjs";

const args = parseArgs(process.argv.slice(2));
if (!args.bin || !args.model || !args.corpus) {
    console.error("usage: node tok_compare.mjs --bin LFMRT --model M.gguf --corpus FILE [--special on|off|both]");
    process.exit(2);
}
const modes = {on: [true], off: [false], both: [false, true]}[String(args.special ?? "both")];
if (!modes) { console.error("tok_compare: --special must be on, off or both"); process.exit(2); }

let peer;
try {
    peer = await LlamaPeer.create({peerDir: args["peer-dir"]});
} catch (e) {
    console.error("SKIP: llama.cpp peer unavailable: " + e.message);
    process.exit(77);
}
await peer.load(args.model, {vocabOnly: true});
const lines = readLines(args.corpus);
const help = spawnSync(args.bin, ["tokenize", "--help"], {encoding: "utf8"});
const hasLines = /--lines/.test((help.stdout ?? "") + (help.stderr ?? "")) && /--text-file/.test(help.stdout ?? "");
const show = (s) => JSON.stringify(s.length > 80 ? s.slice(0, 80) + "..." : s);
let allPass = true;
for (const special of modes) {
    const t0 = Date.now();
    let bad = 0, errors = 0;
    // batch answers (one process for the whole file), when lfmrt has --lines
    let batch = null, batchWhy = null;
    if (hasLines) {
        const r = spawnSync(args.bin, ["tokenize", "-m", args.model, "--text-file", args.corpus, "--lines",
            ...(special ? ["--special"] : [])], {encoding: "utf8", maxBuffer: 1 << 30});
        if (r.error) batchWhy = r.error.message;
        else if (r.status !== 0) batchWhy = `exit ${r.status}: ${(r.stderr ?? "").trim().slice(-300)}`;
        else {
            try {
                batch = r.stdout.split("\n").filter((x) => x !== "").map((x) => JSON.parse(x).ids);
                if (batch.length !== lines.length) { batchWhy = `--lines printed ${batch.length} objects for ${lines.length} lines`; batch = null; }
            } catch (e) { batchWhy = "no JSON lines: " + r.stdout.slice(0, 200); batch = null; }
        }
        if (batchWhy) { errors++; bad++; console.error(`  lfmrt tokenize --lines failed: ${batchWhy}`); }
    }
    const nText = hasLines ? Math.min(lines.length, parseInt(args["text-lines"] ?? "8", 10)) : lines.length;
    const cases = [];
    for (let i = 0; i < lines.length; i++) {
        if (batch) cases.push({i, via: "--lines", got: batch[i], why: Array.isArray(batch[i]) ? null : "no ids array"});
        if (i < nText) cases.push({i, via: "--text"});
    }
    for (const c of cases) {
        const i = c.i;
        const want = peer.tokenize(lines[i], special);
        let got = c.got ?? null, why = c.why ?? null;
        if (c.via === "--text") {
            const argv = ["tokenize", "-m", args.model, "--text", lines[i], ...(special ? ["--special"] : [])];
            const r = spawnSync(args.bin, argv, {encoding: "utf8", maxBuffer: 1 << 28});
            if (r.error) why = r.error.message;
            else if (r.status !== 0) why = `exit ${r.status}: ${(r.stderr ?? "").trim().slice(-300)}`;
            else {
                try { got = JSON.parse(r.stdout).ids; } catch (e) { why = "no JSON: " + r.stdout.slice(0, 200); }
                if (!why && !Array.isArray(got)) why = "no ids array";
            }
        }
        if (why) {
            errors++; bad++;
            if (bad <= 10) console.error(`  line ${i + 1} ${show(lines[i])}: lfmrt tokenize ${c.via} failed: ${why}`);
            continue;
        }
        if (got.join(",") !== want.join(",")) {
            bad++;
            if (bad <= 10) {
                let k = 0;
                while (k < got.length && got[k] === want[k]) k++;
                console.error(`  line ${i + 1} ${show(lines[i])} (${c.via}${special ? " --special" : ""}): first difference at index ${k}\n` +
                    `    lfmrt: ${JSON.stringify(got.slice(Math.max(0, k - 2), k + 6))}\n    llama: ${JSON.stringify(want.slice(Math.max(0, k - 2), k + 6))}`);
            }
        }
    }
    const pass = bad === 0 && lines.length > 0;
    if (!pass) allPass = false;
    console.log(JSON.stringify({check: "tokenize", model: path.basename(args.model), special, lines: lines.length,
        checked: cases.length, mismatches: bad, errors, pass, ms: Date.now() - t0}));
}
await peer.close();
process.exit(allPass ? 0 : 1);
