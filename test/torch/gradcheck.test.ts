// Finite-difference checks, in float64, of every op the models differentiate through.
import { describe, it } from "node:test";
import {
  type Tensor, cat, cosineSimilarity, crossEntropy, dropout, embedding, layerNorm, linear, manualSeed, mseLoss,
  normalize, stack, tensor, where,
} from "../../src/torch/index.js";
import { gradcheck, input } from "../helpers.js";

const ids = (values: number[], shape: number[]) => tensor(values, { dtype: "int64", shape });

describe("gradients match finite differences (float64)", () => {
  it("linear", () => gradcheck("linear", ([x, w, b]) => linear(x, w, b).tanh().sum(), [input([3, 4], 1), input([5, 4], 2), input([5], 3)]));
  it("embedding", () => gradcheck("embedding", ([w]) => embedding(w, ids([0, 2, 2, 1], [2, 2])).pow(2).sum(), [input([3, 4], 4)]));
  it("layer_norm", () =>
    gradcheck("layer_norm", ([x, w, b]) => layerNorm(x, [5], w, b, 1e-5).mul(x).sum(), [input([2, 3, 5], 5), input([5], 6), input([5], 7)]));
  it("gelu, relu, tanh, sigmoid, exp, log, sqrt", () => {
    gradcheck("gelu", ([x]) => x.gelu().sum(), [input([10], 8, 3)]);
    gradcheck("relu", ([x]) => x.relu().mul(x).sum(), [input([10], 9, 3)]);
    gradcheck("tanh", ([x]) => x.tanh().sum(), [input([6], 10)]);
    gradcheck("sigmoid", ([x]) => x.sigmoid().sum(), [input([6], 11)]);
    gradcheck("exp/log/sqrt", ([x]) => x.exp().add(1).log().sqrt().sum(), [input([6], 12)]);
  });
  it("softmax and log_softmax", () => {
    gradcheck("softmax", ([x, y]) => x.softmax(-1).mul(y).sum(), [input([3, 5], 13), input([3, 5], 14)]);
    gradcheck("log_softmax", ([x, y]) => x.logSoftmax(1).mul(y).sum(), [input([3, 5], 15), input([3, 5], 16)]);
  });
  it("cross_entropy, with ignore_index and label smoothing", () => {
    const target = ids([1, 0, 3, -100], [4]);
    gradcheck("cross_entropy", ([x]) => crossEntropy(x, target, null, "mean", -100), [input([4, 5], 17, 2)]);
    gradcheck("cross_entropy smoothing", ([x]) => crossEntropy(x, ids([1, 0, 3, 2], [4]), null, "sum", -100, 0.1), [input([4, 5], 18, 2)]);
  });
  it("batched matmul with transpose, permute, reshape, unbind", () =>
    gradcheck("attention-like", ([x]) => {
      const [q, k] = x.reshape([2, 3, 2, 4]).permute([2, 0, 1, 3]).unbind(0);
      return q.matmul(k.transpose(-2, -1)).mul(0.5).softmax(-1).matmul(q).sum();
    }, [input([2, 3, 8], 19)]));
  it("masked_fill with -inf before softmax", () => {
    const mask = tensor([[false, true], [false, false]]);
    gradcheck("masked_fill", ([x]) => x.maskedFill(mask, -Infinity).softmax(-1).mul(x).sum(), [input([2, 2], 20)]);
  });
  it("narrow, slice, select, cat, stack", () =>
    gradcheck("shape ops", ([x, y]) =>
      cat([x.narrow(1, 1, 2), y.slice(1, 0, 2)], 0).mul(stack([x.select(0, 0), y.select(0, 1), x.select(0, 1), y.select(0, 0)], 0).narrow(1, 0, 2)).sum(),
    [input([2, 3], 21), input([2, 3], 22)]));
  it("reductions: sum, mean, logsumexp, norm, max, var", () => {
    gradcheck("sum/mean", ([x]) => x.sum([1]).mul(x.mean([0]).sum()).sum(), [input([3, 4], 23)]);
    gradcheck("logsumexp", ([x]) => x.logsumexp([1]).sum(), [input([3, 4], 24)]);
    gradcheck("norm", ([x]) => x.norm(2, [1]).sum(), [input([3, 4], 25)]);
    gradcheck("max", ([x]) => x.max(1)[0].sum(), [input([3, 4], 26)]);
    gradcheck("var", ([x]) => x.var([1]).sum(), [input([3, 4], 27)]);
  });
  it("index_select, gather, scatter_add, where", () => {
    const idx = ids([2, 0], [2]);
    gradcheck("index_select", ([x]) => x.indexSelect(0, idx).pow(2).sum(), [input([3, 2], 28)]);
    gradcheck("gather", ([x]) => x.gather(1, ids([0, 1, 1, 0], [2, 2])).pow(2).sum(), [input([2, 3], 29)]);
    gradcheck("scatter_add", ([x, s]) => x.scatterAdd(0, ids([1, 0, 1], [3, 1]).expand([3, 2]), s).pow(2).sum(),
      [input([2, 2], 30), input([3, 2], 31)]);
    const cond = tensor([true, false, true]);
    gradcheck("where", ([a, b]) => where(cond, a, b).pow(2).sum(), [input([3], 32), input([3], 33)]);
  });
  it("cosine similarity, normalize, mse", () => {
    gradcheck("cosine_similarity", ([a, b]) => cosineSimilarity(a, b, 1).sum(), [input([3, 4], 34), input([3, 4], 35)]);
    gradcheck("normalize", ([a]) => normalize(a, 2, 1).mul(a).sum(), [input([3, 4], 36)]);
    gradcheck("mse", ([a, b]) => mseLoss(a, b), [input([3, 4], 37), input([3, 4], 38)]);
  });
  it("dropout (same mask on every evaluation)", () =>
    gradcheck("dropout", ([x]: Tensor[]) => {
      manualSeed(7);
      return dropout(x, 0.3, true).pow(2).sum();
    }, [input([20], 39)]));
});
