"""练习 rmsprop：RMSprop 的一步更新，这是 Keras 和书中用的优化器（指南第 5 章）。

每个权重都记着自己梯度平方的滑动平均 ms，每一步的更新量是梯度除以 ms 的平方根：

    ms <- rho * ms + (1 - rho) * grad**2
    param <- param - lr * grad / sqrt(ms + eps)

于是每个权重都有自己的步长 lr / RMS(grad)。和 TensorFlow/Keras 一样，eps 放在平方根
「里面」：在 ms 为 0 的地方，它把步长限制在 lr / sqrt(eps) 以内。

请「原地」更新 param 和 ms（param -= ...、ms *= ...、ms += ... 或 ms[...] = ...）：
它们是模型自己的数组，函数不返回任何东西。不要改动 grad。所有数组都和参数的形状、
数据类型相同（模型里是 float32）；lr、rho、eps 都是数。不要在两次调用之间自己保存
任何状态：ms「就是」这个参数的记忆，优化器会为每个参数各准备一份。

检查：  npvae exercise check rmsprop
提示：  npvae exercise hint rmsprop --lang zh
"""
import numpy as np


def rmsprop_update(param, grad, ms, lr, rho, eps):
    """RMSprop 的一步：先更新 ms，再更新 param，都是原地更新。"""
    raise NotImplementedError("update the running mean ms, then step param, both in place")
