#!/usr/bin/env python3
"""NLTK's BLEU and chrF on the inputs xling's metric tests pass (JSON on stdin).

Input: {"hyps": [[token, ...], ...], "refs": [[token, ...], ...],
        "chrfHyps": [str, ...], "chrfRefs": [str, ...], "beta": float}
Output (JSON on stdout): corpus BLEU with smoothing method0/1/3 (0-1 scale),
sentence chrF of each pair and NLTK's corpus chrF (0-1 scale).
Needs Debian's python3-nltk (no downloaded NLTK data).
"""
import json
import sys
import warnings

from nltk.translate.bleu_score import SmoothingFunction, corpus_bleu
from nltk.translate.chrf_score import corpus_chrf, sentence_chrf

warnings.simplefilter("ignore")  # method0 warns about zero counts
data = json.load(sys.stdin)
refs = [[r] for r in data["refs"]]
sm = SmoothingFunction()
out = {}
if data["hyps"]:
    out["bleu"] = {
        "none": corpus_bleu(refs, data["hyps"], smoothing_function=sm.method0),
        "floor": corpus_bleu(refs, data["hyps"], smoothing_function=sm.method1),
        "exp": corpus_bleu(refs, data["hyps"], smoothing_function=sm.method3),
    }
if data["chrfHyps"]:
    out["sentenceChrf"] = [
        sentence_chrf(r, h, beta=data["beta"]) for h, r in zip(data["chrfHyps"], data["chrfRefs"])
    ]
    out["corpusChrf"] = corpus_chrf(data["chrfRefs"], data["chrfHyps"], beta=data["beta"])
json.dump(out, sys.stdout)
