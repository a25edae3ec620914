{
  "targets": [
    {
      "target_name": "xling",
      "sources": [
        "native/src/addon.cc",
        "native/src/tensor.cc",
        "native/src/convert.cc",
        "native/src/autograd.cc",
        "native/src/optim.cc",
        "native/src/allocator.cc",
        "native/src/sentencepiece.cc",
        "native/src/distributed.cc",
        "native/src/autocast.cc",
        "native/generated/ops.cc"
      ],
      "include_dirs": [
        "<!@(node -p \"require('node-addon-api').include_dir\")",
        "native/src",
        "<!@(node native/config.mjs includes)"
      ],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "<!@(node native/config.mjs defines)"],
      "cflags!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-frtti", "-O2", "-Wno-unused-parameter", "-Wno-deprecated-declarations"],
      "libraries": ["<!@(node native/config.mjs libs)"]
    }
  ]
}
