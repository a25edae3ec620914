// The op table: each libtorch operation xling exposes is declared here once.
// native/gen-ops.mjs turns it into the addon's C++ bindings (native/generated/ops.cc)
// and the typed TypeScript surface (src/torch/generated/ops.ts).
//
// Signature mini-language, close to ATen's own:
//   name(Type arg, Type arg=default) -> Ret
// Types: Tensor Tensor? Tensor[] TensorOrScalar int int? int[] int[]? float float?
//        bool Scalar Scalar? dtype dtype? device str
// Ret:   Tensor Tensor[] int int[] float bool str void
// `cpp` is the C++ expression (arguments by name); default: at::name(args...).
// An op whose first argument is `Tensor self` becomes a Tensor method; others become
// functions. `void` ops mutate self and the method returns `this`. `js` renames.
// Optional int[] arguments reach C++ as c10::optional<std::vector<int64_t>>; optRef()
// turns them into at::OptionalIntArrayRef.
// `check` is a C++ statement run before the call (arguments by name): the guards in
// native/src/tensor.cc against inputs on which libtorch's integer arithmetic traps.

const CREATE = "dtype dtype=\"float32\", device device=\"cpu\"";
const opts = "at::TensorOptions().dtype(dtype).device(device)";

export const ops = [
  // ---- metadata --------------------------------------------------------------------
  { sig: "sizes(Tensor self) -> int[]", cpp: "self.sizes().vec()", js: "shapeArray" },
  { sig: "dim(Tensor self) -> int", cpp: "self.dim()", js: "ndim" },
  { sig: "numel(Tensor self) -> int", cpp: "self.numel()" },
  { sig: "dtype_name(Tensor self) -> str", cpp: "dtypeName(self.scalar_type())", js: "dtypeName" },
  { sig: "device_name(Tensor self) -> str", cpp: "self.device().str()", js: "deviceName" },
  { sig: "is_contiguous(Tensor self) -> bool", cpp: "self.is_contiguous()" },
  { sig: "item(Tensor self) -> float", cpp: "self.item<double>()" },
  { sig: "equal(Tensor self, Tensor other) -> bool", cpp: "at::equal(self, other)" },
  { sig: "allclose(Tensor self, Tensor other, float rtol=1e-05, float atol=1e-08) -> bool" },
  { sig: "same_storage(Tensor self, Tensor other) -> bool", cpp: "self.is_same(other)", js: "isSame" },

  // ---- creation --------------------------------------------------------------------
  { sig: `zeros(int[] size, ${CREATE}) -> Tensor`, cpp: `at::zeros(size, ${opts})` },
  { sig: `ones(int[] size, ${CREATE}) -> Tensor`, cpp: `at::ones(size, ${opts})` },
  { sig: `empty(int[] size, ${CREATE}) -> Tensor`, cpp: `at::empty(size, ${opts})` },
  { sig: `full(int[] size, Scalar value, ${CREATE}) -> Tensor`, cpp: `at::full(size, value, ${opts})` },
  { sig: `arange(Scalar start, Scalar end, Scalar step=1, dtype dtype="int64", device device="cpu") -> Tensor`,
    cpp: `at::arange(start, end, step, ${opts})` },
  { sig: `linspace(Scalar start, Scalar end, int steps, ${CREATE}) -> Tensor`, cpp: `at::linspace(start, end, steps, ${opts})` },
  { sig: `eye(int n, ${CREATE}) -> Tensor`, cpp: `at::eye(n, ${opts})` },
  { sig: `rand(int[] size, ${CREATE}) -> Tensor`, cpp: `at::rand(size, ${opts})` },
  { sig: `randn(int[] size, ${CREATE}) -> Tensor`, cpp: `at::randn(size, ${opts})` },
  { sig: `randint(int low, int high, int[] size, dtype dtype="int64", device device="cpu") -> Tensor`,
    cpp: `at::randint(low, high, size, ${opts})` },
  { sig: `randperm(int n, dtype dtype="int64", device device="cpu") -> Tensor`, cpp: `at::randperm(n, ${opts})` },
  { sig: "zeros_like(Tensor self) -> Tensor" },
  { sig: "ones_like(Tensor self) -> Tensor" },
  { sig: "full_like(Tensor self, Scalar value) -> Tensor" },
  { sig: "rand_like(Tensor self) -> Tensor" },
  { sig: "randn_like(Tensor self) -> Tensor" },
  { sig: "multinomial(Tensor self, int num_samples, bool replacement=false) -> Tensor" },

  // ---- conversion ------------------------------------------------------------------
  { sig: "to_dtype(Tensor self, dtype dtype) -> Tensor", cpp: "self.to(dtype)", js: "toDtype",
    check: `checkIntegerConversion(self, dtype)` },
  { sig: "to_device(Tensor self, device device) -> Tensor", cpp: "self.to(device)", js: "toDevice" },
  { sig: "contiguous(Tensor self) -> Tensor", cpp: "self.contiguous()" },
  { sig: "clone(Tensor self) -> Tensor", cpp: "self.clone()" },
  { sig: "detach(Tensor self) -> Tensor", cpp: "self.detach()" },

  // ---- shape -----------------------------------------------------------------------
  { sig: "reshape(Tensor self, int[] shape) -> Tensor", cpp: "self.reshape(shape)" },
  { sig: "view(Tensor self, int[] shape) -> Tensor", cpp: "self.view(shape)" },
  { sig: "permute(Tensor self, int[] dims) -> Tensor", cpp: "self.permute(dims)" },
  { sig: "transpose(Tensor self, int dim0, int dim1) -> Tensor" },
  { sig: "t(Tensor self) -> Tensor" },
  { sig: "narrow(Tensor self, int dim, int start, int length) -> Tensor" },
  { sig: "slice(Tensor self, int dim=0, int? start=None, int? end=None, int step=1) -> Tensor" },
  { sig: "select(Tensor self, int dim, int index) -> Tensor", cpp: "self.select(dim, index)" },
  { sig: "expand(Tensor self, int[] size) -> Tensor", cpp: "self.expand(size)" },
  { sig: "expand_as(Tensor self, Tensor other) -> Tensor", cpp: "self.expand_as(other)" },
  { sig: "squeeze(Tensor self, int? dim=None) -> Tensor", cpp: "dim ? at::squeeze(self, *dim) : at::squeeze(self)" },
  { sig: "unsqueeze(Tensor self, int dim) -> Tensor" },
  { sig: "flatten(Tensor self, int start_dim=0, int end_dim=-1) -> Tensor" },
  { sig: "unbind(Tensor self, int dim=0) -> Tensor[]" },
  { sig: "chunk(Tensor self, int chunks, int dim=0) -> Tensor[]" },
  { sig: "split(Tensor self, int split_size, int dim=0) -> Tensor[]" },
  { sig: "split_with_sizes(Tensor self, int[] split_sizes, int dim=0) -> Tensor[]", cpp: "self.split_with_sizes(split_sizes, dim)" },
  { sig: "cat(Tensor[] tensors, int dim=0) -> Tensor" },
  { sig: "stack(Tensor[] tensors, int dim=0) -> Tensor" },
  { sig: "flip(Tensor self, int[] dims) -> Tensor" },
  { sig: "roll(Tensor self, int[] shifts, int[] dims) -> Tensor" },
  { sig: "repeat(Tensor self, int[] repeats) -> Tensor", cpp: "self.repeat(repeats)" },
  { sig: "tril(Tensor self, int diagonal=0) -> Tensor" },
  { sig: "triu(Tensor self, int diagonal=0) -> Tensor" },

  // ---- indexing --------------------------------------------------------------------
  { sig: "index_select(Tensor self, int dim, Tensor index) -> Tensor" },
  { sig: "gather(Tensor self, int dim, Tensor index) -> Tensor" },
  { sig: "scatter_add(Tensor self, int dim, Tensor index, Tensor src) -> Tensor" },
  { sig: "index_add(Tensor self, int dim, Tensor index, Tensor source) -> Tensor" },
  { sig: "masked_fill(Tensor self, Tensor mask, Scalar value) -> Tensor" },
  { sig: "masked_select(Tensor self, Tensor mask) -> Tensor" },
  { sig: "where(Tensor condition, TensorOrScalar self, TensorOrScalar other) -> Tensor", fn: true },
  { sig: "embedding(Tensor weight, Tensor indices, int padding_idx=-1) -> Tensor", fn: true },
  { sig: "one_hot(Tensor self, int num_classes=-1) -> Tensor" },
  { sig: "nonzero(Tensor self) -> Tensor" },

  // ---- elementwise -----------------------------------------------------------------
  { sig: "add(Tensor self, TensorOrScalar other, Scalar alpha=1) -> Tensor" },
  { sig: "sub(Tensor self, TensorOrScalar other, Scalar alpha=1) -> Tensor" },
  { sig: "mul(Tensor self, TensorOrScalar other) -> Tensor" },
  { sig: "div(Tensor self, TensorOrScalar other) -> Tensor" },
  { sig: "div_rounding(Tensor self, TensorOrScalar other, str rounding_mode) -> Tensor",
    cpp: "at::div(self, other, c10::optional<c10::string_view>(rounding_mode))", js: "divRounding",
    check: `checkIntegerDivision(self, other)` },
  { sig: "remainder(Tensor self, TensorOrScalar other) -> Tensor", check: `checkIntegerDivision(self, other)` },
  { sig: "fmod(Tensor self, TensorOrScalar other) -> Tensor", check: `checkIntegerDivision(self, other)` },
  { sig: "floor_divide(Tensor self, TensorOrScalar other) -> Tensor", check: `checkIntegerDivision(self, other)` },
  { sig: "pow(Tensor self, TensorOrScalar exponent) -> Tensor" },
  { sig: "maximum(Tensor self, Tensor other) -> Tensor" },
  { sig: "minimum(Tensor self, Tensor other) -> Tensor" },
  { sig: "clamp(Tensor self, Scalar? min=None, Scalar? max=None) -> Tensor" },
  { sig: "lerp(Tensor self, Tensor end, Scalar weight) -> Tensor" },
  { sig: "neg(Tensor self) -> Tensor" },
  { sig: "abs(Tensor self) -> Tensor" },
  { sig: "sign(Tensor self) -> Tensor" },
  { sig: "exp(Tensor self) -> Tensor" },
  { sig: "log(Tensor self) -> Tensor" },
  { sig: "log1p(Tensor self) -> Tensor" },
  { sig: "sqrt(Tensor self) -> Tensor" },
  { sig: "rsqrt(Tensor self) -> Tensor" },
  { sig: "square(Tensor self) -> Tensor" },
  { sig: "reciprocal(Tensor self) -> Tensor" },
  { sig: "sin(Tensor self) -> Tensor" },
  { sig: "cos(Tensor self) -> Tensor" },
  { sig: "erf(Tensor self) -> Tensor" },
  { sig: "floor(Tensor self) -> Tensor" },
  { sig: "ceil(Tensor self) -> Tensor" },
  { sig: "round(Tensor self) -> Tensor" },
  { sig: "sigmoid(Tensor self) -> Tensor" },
  { sig: "tanh(Tensor self) -> Tensor" },
  { sig: "relu(Tensor self) -> Tensor" },
  { sig: "gelu(Tensor self, str approximate=\"none\") -> Tensor" },
  { sig: "silu(Tensor self) -> Tensor" },
  { sig: "isnan(Tensor self) -> Tensor" },
  { sig: "isfinite(Tensor self) -> Tensor" },
  { sig: "nan_to_num(Tensor self, float? nan=None, float? posinf=None, float? neginf=None) -> Tensor" },

  // ---- comparison and logic --------------------------------------------------------
  { sig: "eq(Tensor self, TensorOrScalar other) -> Tensor" },
  { sig: "ne(Tensor self, TensorOrScalar other) -> Tensor" },
  { sig: "lt(Tensor self, TensorOrScalar other) -> Tensor" },
  { sig: "le(Tensor self, TensorOrScalar other) -> Tensor" },
  { sig: "gt(Tensor self, TensorOrScalar other) -> Tensor" },
  { sig: "ge(Tensor self, TensorOrScalar other) -> Tensor" },
  { sig: "logical_and(Tensor self, Tensor other) -> Tensor" },
  { sig: "logical_or(Tensor self, Tensor other) -> Tensor" },
  { sig: "logical_not(Tensor self) -> Tensor" },

  // ---- reductions ------------------------------------------------------------------
  { sig: "sum(Tensor self, int[]? dim=None, bool keepdim=false, dtype? dtype=None) -> Tensor",
    cpp: "at::sum(self, optRef(dim), keepdim, dtype)", check: "if (dtype) checkIntegerConversion(self, *dtype)" },
  { sig: "mean(Tensor self, int[]? dim=None, bool keepdim=false) -> Tensor", cpp: "at::mean(self, optRef(dim), keepdim)" },
  { sig: "prod(Tensor self) -> Tensor" },
  { sig: "var(Tensor self, int[]? dim=None, bool unbiased=true, bool keepdim=false) -> Tensor",
    cpp: "at::var(self, optRef(dim), unbiased, keepdim)" },
  { sig: "std(Tensor self, int[]? dim=None, bool unbiased=true, bool keepdim=false) -> Tensor",
    cpp: "at::std(self, optRef(dim), unbiased, keepdim)" },
  { sig: "amax(Tensor self, int[] dim, bool keepdim=false) -> Tensor" },
  { sig: "amin(Tensor self, int[] dim, bool keepdim=false) -> Tensor" },
  { sig: "max_all(Tensor self) -> Tensor", cpp: "at::max(self)", js: "maxAll" },
  { sig: "min_all(Tensor self) -> Tensor", cpp: "at::min(self)", js: "minAll" },
  { sig: "max(Tensor self, int dim, bool keepdim=false) -> Tensor[]", cpp: "at::max(self, dim, keepdim)" },
  { sig: "min(Tensor self, int dim, bool keepdim=false) -> Tensor[]", cpp: "at::min(self, dim, keepdim)" },
  { sig: "argmax(Tensor self, int? dim=None, bool keepdim=false) -> Tensor" },
  { sig: "argmin(Tensor self, int? dim=None, bool keepdim=false) -> Tensor" },
  { sig: "logsumexp(Tensor self, int[] dim, bool keepdim=false) -> Tensor" },
  { sig: "norm(Tensor self, Scalar p=2, int[]? dim=None, bool keepdim=false) -> Tensor",
    cpp: "at::linalg_vector_norm(self, p, optRef(dim), keepdim)" },
  { sig: "cumsum(Tensor self, int dim) -> Tensor" },
  { sig: "all(Tensor self) -> Tensor" },
  { sig: "any(Tensor self) -> Tensor" },
  { sig: "topk(Tensor self, int k, int dim=-1, bool largest=true, bool sorted=true) -> Tensor[]" },
  { sig: "sort(Tensor self, int dim=-1, bool descending=false) -> Tensor[]" },
  { sig: "argsort(Tensor self, int dim=-1, bool descending=false) -> Tensor" },
  { sig: "bincount(Tensor self, Tensor? weights=None, int minlength=0) -> Tensor" },

  // ---- linear algebra --------------------------------------------------------------
  { sig: "matmul(Tensor self, Tensor other) -> Tensor" },
  { sig: "mm(Tensor self, Tensor mat2) -> Tensor" },
  { sig: "bmm(Tensor self, Tensor mat2) -> Tensor" },
  { sig: "outer(Tensor self, Tensor vec2) -> Tensor" },
  { sig: "dot(Tensor self, Tensor other) -> Tensor" },
  { sig: "linear(Tensor input, Tensor weight, Tensor? bias=None) -> Tensor", fn: true },
  // compute_mode: None/0 uses a matrix product for p = 2 above 25 rows (fast, but it loses
  // precision near 0), 1 always, 2 never (exact differences).
  { sig: "cdist(Tensor x1, Tensor x2, float p=2, int? compute_mode=None) -> Tensor", fn: true },
  { sig: "linalg_svd(Tensor self, bool full_matrices=false) -> Tensor[]",
    cpp: "[&]{ auto r = at::linalg_svd(self, full_matrices); return std::vector<at::Tensor>{std::get<0>(r), std::get<1>(r), std::get<2>(r)}; }()",
    js: "svd" },
  { sig: "linalg_eigh(Tensor self) -> Tensor[]", cpp: "at::linalg_eigh(self)", js: "eigh" },
  { sig: "linalg_qr(Tensor self) -> Tensor[]", cpp: "at::linalg_qr(self)", js: "qr" },

  // ---- neural-network functions ----------------------------------------------------
  { sig: "softmax(Tensor self, int dim) -> Tensor" },
  { sig: "log_softmax(Tensor self, int dim) -> Tensor" },
  { sig: "cross_entropy(Tensor input, Tensor target, Tensor? weight=None, str reduction=\"mean\", int ignore_index=-100, float label_smoothing=0) -> Tensor",
    cpp: "at::cross_entropy_loss(input, target, weight, reductionCode(reduction), ignore_index, label_smoothing)", fn: true },
  { sig: "nll_loss(Tensor input, Tensor target, str reduction=\"mean\", int ignore_index=-100) -> Tensor",
    cpp: "at::nll_loss(input, target, {}, reductionCode(reduction), ignore_index)", fn: true },
  { sig: "mse_loss(Tensor input, Tensor target, str reduction=\"mean\") -> Tensor",
    cpp: "at::mse_loss(input, target, reductionCode(reduction))", fn: true },
  { sig: "binary_cross_entropy_with_logits(Tensor input, Tensor target, str reduction=\"mean\") -> Tensor",
    cpp: "at::binary_cross_entropy_with_logits(input, target, {}, {}, reductionCode(reduction))", fn: true },
  { sig: "layer_norm(Tensor input, int[] normalized_shape, Tensor? weight=None, Tensor? bias=None, float eps=1e-05) -> Tensor",
    cpp: "at::layer_norm(input, normalized_shape, weight, bias, eps)", fn: true },
  { sig: "dropout(Tensor input, float p, bool train) -> Tensor", fn: true },
  { sig: "cosine_similarity(Tensor x1, Tensor x2, int dim=1, float eps=1e-08) -> Tensor", fn: true },
  { sig: "normalize(Tensor input, float p=2, int dim=1, float eps=1e-12) -> Tensor",
    cpp: "input / at::linalg_vector_norm(input, p, at::IntArrayRef{dim}, true).clamp_min(eps)", fn: true },

  // ---- in place --------------------------------------------------------------------
  { sig: "add_(Tensor self, TensorOrScalar other, Scalar alpha=1) -> void", cpp: "self.add_(other, alpha)" },
  { sig: "sub_(Tensor self, TensorOrScalar other, Scalar alpha=1) -> void", cpp: "self.sub_(other, alpha)" },
  { sig: "mul_(Tensor self, TensorOrScalar other) -> void", cpp: "self.mul_(other)" },
  { sig: "div_(Tensor self, TensorOrScalar other) -> void", cpp: "self.div_(other)" },
  { sig: "addcmul_(Tensor self, Tensor tensor1, Tensor tensor2, Scalar value=1) -> void", cpp: "self.addcmul_(tensor1, tensor2, value)" },
  { sig: "addcdiv_(Tensor self, Tensor tensor1, Tensor tensor2, Scalar value=1) -> void", cpp: "self.addcdiv_(tensor1, tensor2, value)" },
  { sig: "lerp_(Tensor self, Tensor end, Scalar weight) -> void", cpp: "self.lerp_(end, weight)" },
  { sig: "clamp_(Tensor self, Scalar? min=None, Scalar? max=None) -> void", cpp: "self.clamp_(min, max)" },
  { sig: "copy_(Tensor self, Tensor src) -> void", cpp: "self.copy_(src)" },
  { sig: "fill_(Tensor self, Scalar value) -> void", cpp: "self.fill_(value)" },
  { sig: "zero_(Tensor self) -> void", cpp: "self.zero_()" },
  { sig: "masked_fill_(Tensor self, Tensor mask, Scalar value) -> void", cpp: "self.masked_fill_(mask, value)" },
  { sig: "normal_(Tensor self, float mean=0, float std=1) -> void", cpp: "self.normal_(mean, std)" },
  { sig: "uniform_(Tensor self, float from=0, float to=1) -> void", cpp: "self.uniform_(from, to)" },
  { sig: "index_add_(Tensor self, int dim, Tensor index, Tensor source) -> void", cpp: "self.index_add_(dim, index, source)" },
  { sig: "scatter_add_(Tensor self, int dim, Tensor index, Tensor src) -> void", cpp: "self.scatter_add_(dim, index, src)" },

  // ---- autograd state --------------------------------------------------------------
  { sig: "requires_grad(Tensor self) -> bool", cpp: "self.requires_grad()", js: "requiresGradFlag" },
  { sig: "set_requires_grad(Tensor self, bool requires_grad=true) -> void", cpp: "self.requires_grad_(requires_grad)", js: "requiresGrad_" },
  { sig: "is_leaf(Tensor self) -> bool", cpp: "self.is_leaf()", js: "isLeafFlag" },
  { sig: "retain_grad(Tensor self) -> void", cpp: "self.retain_grad()" },
];
