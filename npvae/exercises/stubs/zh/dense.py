"""练习 dense：全连接层（Dense）的前向传播与反向传播（指南第 2 章）。

对一个批次（batch）中的 N 个行向量：

    y = x @ W + b          x (N, D_in)   W (D_in, D_out)   b (D_out,)   y (N, D_out)

反向传播时已知 dy = dL/dy (N, D_out)，对
y[n, o] = b[o] + sum_i x[n, i] W[i, o] 用链式法则：

    dW = x^T @ dy          (D_in, D_out)   每个权重把它在整个批次上的影响加起来
    db = sum_n dy[n]       (D_out,)
    dx = dy @ W^T          (N, D_in)

forward 返回 y 和一个缓存（cache）：即 backward 之后要用到的东西（这里就是 x）。
backward 会拿回这个缓存，外加 dy 和 W。保持输入的数据类型（float32 进、float32 出：
模型用 float32 训练），并且不要改动 x、W、b 和 dy：模型后面还要再用它们。

检查：  npvae exercise check dense
提示：  npvae exercise hint dense --lang zh
"""
import numpy as np


def dense_forward(x, W, b):
    """y = x @ W + b：x (N, D_in) -> (y (N, D_out), cache)。"""
    raise NotImplementedError("compute y = x @ W + b and return y and the cache backward needs")


def dense_backward(dy, W, cache):
    """dense_forward 的梯度：dy (N, D_out) -> (dx (N, D_in), dW, db)。"""
    raise NotImplementedError("compute dx, dW and db from dy, W and the cache; return all three")
