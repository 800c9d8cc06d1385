"""练习 conv2d_transpose：倒过来运行的卷积，前向与反向传播（指南第 3 章）。

转置卷积（transposed convolution）是这样一个线性映射：它的矩阵是某个 Conv2D 的矩阵的
转置，而那个 Conv2D 把 (Ho, Wo, O) 的图像映射成 (H, W, C) 的图像。它按自己的步幅
（stride）做上采样。它的卷积核 W 的形状是 (kh, kw, O, C)，这是 Keras 给它的布局（输出
通道在前）。每个输入像素在输出上「画」出一块加了权的 kh x kw 小块，重叠的小块相加，
这恰好就是 col2im：

    cols = x.reshape(N*H*W, C) @ W.reshape(kh*kw*O, C)^T    (N*H*W, kh*kw*O)
    y    = col2im(cols, y_shape, kh, kw, stride, pads) + b  (N, Ho, Wo, O)

它的反向传播在 Conv2D 用 col2im 的地方改用 im2col：

    dcols = im2col(dy, kh, kw, stride, pads)    (N*H*W, kh*kw*O)
    dW    = dcols^T @ x_rows                    (kh*kw*O, C) -> reshape 成 W.shape
    db    = dy 对 n, i, j 求和                   (O,)
    dx    = dcols @ W.reshape(kh*kw*O, C)       (N*H*W, C) -> reshape 成 x 的形状

pads 是被转置的那个卷积的 (上, 下, 左, 右)，也就是从（较大的）输出上取窗口的那个卷积。
像素之间不插入零。保持输入的数据类型（float32 进、float32 出：模型用 float32 训练），
并且不要改动传进来的数组。

检查：  npvae exercise check conv2d_transpose
提示：  npvae exercise hint conv2d_transpose --lang zh
"""
import numpy as np

# 这是 npvae 自己的实现；等你的 im2col 和 col2im 通过检查后，也可以把你的贴到这里替换它们。
from npvae.exercises.reference import col2im, im2col


def conv2d_transpose_forward(x, W, b, stride, pads, y_shape):
    """y = col2im(x @ W^T) + b：x (N, H, W, C) -> (y (N, Ho, Wo, O), cache)。"""
    raise NotImplementedError("multiply each pixel's channels by the kernel as a matrix, "
                              "paint the patches with col2im, add b; return y and the cache")


def conv2d_transpose_backward(dy, W, cache):
    """由 dy (N, Ho, Wo, O) 求 conv2d_transpose_forward 的 (dx, dW, db)。"""
    raise NotImplementedError("unfold dy with im2col; compute dW, db and dx from it")
