#!/usr/bin/env python3
"""Rewrites the CDLA PicoDet layout model's hard-swish chains into the standard HardSwish op, and
frees its input size.

The export writes every hard-swish as Add(x, 3) -> Clip(0, 6) -> Mul(x, .) -> Div(., 6). ONNX
Runtime's NCHWc layout optimiser cannot fuse that chain into the convolution before it, so it
wraps each in reorder nodes; HardSwish (opset 14) it folds into the convolution. The arithmetic is
the same (x * clip(x + 3, 0, 6) / 6). Only chains whose constants are exactly 3, 0, 6 and 6 are
rewritten; anything else is left as it is.

The export fixes the input at 1x3x800x608, though nothing in the graph depends on it (its reshapes
take -1, its upsampling a scale): with height and width left free, pageflow chooses the size
(src/layout/manifest.h) and the same file still runs at 800x608.

Usage: fuse_layout.py IN.onnx OUT.onnx   (needs the `onnx` package; run by scripts/setup.sh)
"""
import sys

import onnx
from onnx import helper, numpy_helper


def main(source, target):
    model = onnx.load(source)
    graph = model.graph
    constants = {}
    for node in graph.node:
        if node.op_type == "Constant" and node.attribute and node.attribute[0].name == "value":
            constants[node.output[0]] = numpy_helper.to_array(node.attribute[0].t)
    consumers = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)

    def scalar(name, value):
        array = constants.get(name)
        return array is not None and array.size == 1 and float(array.reshape(-1)[0]) == value

    def only_consumer(name):
        users = consumers.get(name, [])
        return users[0] if len(users) == 1 else None

    replaced, removed = {}, set()
    for add in graph.node:
        if add.op_type != "Add" or len(add.input) != 2 or not scalar(add.input[1], 3.0):
            continue
        x = add.input[0]
        clip = only_consumer(add.output[0])
        if not clip or clip.op_type != "Clip" or len(clip.input) != 3 or not scalar(clip.input[1], 0.0) \
                or not scalar(clip.input[2], 6.0):
            continue
        mul = only_consumer(clip.output[0])
        if not mul or mul.op_type != "Mul" or set(mul.input) != {x, clip.output[0]}:
            continue
        div = only_consumer(mul.output[0])
        if not div or div.op_type != "Div" or div.input[0] != mul.output[0] or not scalar(div.input[1], 6.0):
            continue
        replaced[id(add)] = helper.make_node("HardSwish", [x], [div.output[0]], name=add.name + "_hardswish")
        removed.update({id(clip), id(mul), id(div)})

    nodes = []
    for node in graph.node:
        if id(node) in removed:
            continue
        nodes.append(replaced.get(id(node), node))
    used = {name for node in nodes for name in node.input} | {o.name for o in graph.output}
    nodes = [n for n in nodes if n.op_type != "Constant" or n.output[0] in used]
    del graph.node[:]
    graph.node.extend(nodes)
    image = graph.input[0].type.tensor_type.shape.dim
    image[2].dim_param, image[3].dim_param = "height", "width"
    del graph.value_info[:]  # shapes inferred for the fixed size
    for output in graph.output:
        output.type.tensor_type.shape.dim[1].dim_param = "cells"
    for opset in model.opset_import:
        if opset.domain in ("", "ai.onnx"):
            opset.version = max(opset.version, 14)
    onnx.checker.check_model(model)
    onnx.save(model, target)
    print("fuse_layout: %d hard-swish chains rewritten, %d nodes" % (len(replaced), len(graph.node)))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
