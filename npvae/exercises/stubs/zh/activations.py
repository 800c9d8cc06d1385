"""练习 activations：ReLU 和 sigmoid 的反向传播
（指南第 2 章）。

这两层都为 backward 保存自己的「输出」y，因为两个导数用输出来写都最省事：

    ReLU     y = max(x, 0)          dx = dy * [y > 0]
    Sigmoid  y = 1 / (1 + e^-x)     dx = dy * y * (1 - y)

[y > 0] 在单元被激活的地方为 1，其余地方为 0，在拐点 x = 0 处也是 0。
形状：任意；dy、y 和 dx 都和 x 形状相同。保持输入的数据类型（float32 进、float32 出：
模型用 float32 训练），并且不要改动 dy 和 y：返回一个新数组。

检查：  npvae exercise check activations
提示：  npvae exercise hint activations --lang zh
"""
import numpy as np


def relu_backward(dy, y):
    """输出为 y 的 ReLU 的 dx，由 dy 求得。"""
    raise NotImplementedError("pass dy where the ReLU's output was positive, 0 elsewhere")


def sigmoid_backward(dy, y):
    """输出为 y 的 sigmoid 的 dx，由 dy 求得。"""
    raise NotImplementedError("multiply dy by the sigmoid's derivative, written with its output y")
