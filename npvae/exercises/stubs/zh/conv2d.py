"""练习 conv2d：把卷积写成一次矩阵乘法，前向与反向传播（指南第 2 章）。

卷积核 W (kh, kw, C, O) 以步幅（stride）s 在补零填充后的输入 x (N, H, W, C) 上滑动：

    y[n, i, j, o] = b[o] + sum_{p, q, c} x_pad[n, i*s + p, j*s + q, c] * W[p, q, c, o]

（这是互相关，和 Keras 一样：卷积核不翻转。）im2col 把每个窗口复制成一行，
于是这个求和就变成一次矩阵乘法：

    cols = im2col(x)                          (N*Ho*Wo, kh*kw*C)
    y    = cols @ W.reshape(kh*kw*C, O) + b   (N*Ho*Wo, O) -> reshape 成 y_shape (N, Ho, Wo, O)

反向传播先用矩阵乘法的求导法则，再用 col2im（im2col 的转置）：

    dW    = cols^T @ dy                       (kh*kw*C, O) -> reshape 成 W.shape
    db    = dy 对 n, i, j 求和                 (O,)
    dcols = dy @ W^T                          (N*Ho*Wo, kh*kw*C)
    dx    = col2im(dcols)                     (N, H, W, C)

pads 是 (上, 下, 左, 右)；stride 和 pads 原样传给 im2col 和 col2im。
forward 返回 y 和一个缓存（backward 需要的东西：x 的形状、stride、pads、cols）。
保持输入的数据类型（float32 进、float32 出：模型用 float32 训练），并且不要改动
传进来的数组。

检查：  npvae exercise check conv2d
提示：  npvae exercise hint conv2d --lang zh
"""
import numpy as np

# 这是 npvae 自己的实现；等你的 im2col 和 col2im 通过检查后，也可以把你的贴到这里替换它们。
from npvae.exercises.reference import col2im, im2col


def conv2d_forward(x, W, b, stride, pads, y_shape):
    """y = im2col(x) @ W + b：x (N, H, W, C) -> (y (N, Ho, Wo, O), cache)。"""
    raise NotImplementedError("unfold x with im2col, multiply by the kernel as a matrix, "
                              "add b, reshape to y_shape; return y and the cache")


def conv2d_backward(dy, W, cache):
    """由 dy (N, Ho, Wo, O) 求 conv2d_forward 的 (dx, dW, db)。"""
    raise NotImplementedError("flatten dy to (N*Ho*Wo, O); compute dW, db and dcols; fold "
                              "dcols back with col2im")
