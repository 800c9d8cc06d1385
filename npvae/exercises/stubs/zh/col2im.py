"""练习 col2im：im2col 的伴随（adjoint），把各行折叠回图像上（指南第 2 章）。

im2col 把 x_pad 的每个窗口复制成 cols (N*Ho*Wo, kh*kw*C) 的一行：

    cols[r, (p*kw + q)*C + c] = x_pad[n, i*s + p, j*s + q, c],   r = (n*Ho + i)*Wo + j

col2im 反过来做：cols 的每个元素都「加」回它当初被复制出来的那个像素上。步幅比卷积核
小的时候，窗口会互相重叠，于是一个像素收到的是它所有副本之和。来自填充（padding）的
元素直接丢掉：先建一张填充后的图像，往里面累加，最后再把填充裁掉。

把 im2col 看成一个矩阵，col2im 就是它的转置：对任意 x 和 cols，都有
    sum(im2col(x) * cols) == sum(x * col2im(cols))
正因为如此，它既是卷积的反向传播（dx = col2im(dy @ W^T)），又是转置卷积的前向传播。

形状：cols (N*Ho*Wo, kh*kw*C)，x_shape = (N, H, W, C) -> x (N, H, W, C)。
padding 是 (上, 下, 左, 右)，和 im2col 一样。保持输入的数据类型（float32 进、
float32 出：模型用 float32 训练），并且不要改动 cols。

检查：  npvae exercise check col2im
提示：  npvae exercise hint col2im --lang zh
"""
import numpy as np


def col2im(cols, x_shape, kh, kw, stride, padding):
    """把 cols 的每一行加回它的窗口所覆盖的像素上：(N, H, W, C)。"""
    raise NotImplementedError("add each window's entries into a zero padded image, then "
                              "crop the padding")
