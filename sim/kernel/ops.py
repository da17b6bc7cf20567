"""The opcodes of the kernel's instruction list, shared by the lowering and the interpreter.

An instruction is a row ``(op, dst, a, b, c, table)`` of integers: registers ``a``, ``b``, ``c``
are read, ``dst`` is written, ``table`` names a graphical function or a DELAY pipeline.
"""

from __future__ import annotations

__all__ = ["NAMES"]

COPY = 0
NEG = 1
NOT = 2
ADD = 3
SUB = 4
MUL = 5
DIV = 6
POW = 7  # numpy's: a square, root or reciprocal for an exponent of 2, 0.5 or -1
MOD = 8
EQ = 9
NE = 10
LT = 11
LE = 12
GT = 13
GE = 14
AND = 15
OR = 16
WHERE = 17  # a != 0 ? b : c
ABS = 18
EXP = 19
LN = 20
LOG10 = 21
SQRT = 22
SIN = 23
COS = 24
TAN = 25
ASIN = 26
ACOS = 27
ATAN = 28
FLOOR = 29
ROUND = 30
SIGN = 31
LOGB = 32  # ln(a) / ln(b)
MIN = 33
MAX = 34
SAFEDIV = 35  # b == 0 ? c : a / b
STEP = 36  # height a from start b, read at the step's start
RAMP = 37  # slope a from start b to end c, read at the stage time
PULSE = 38  # magnitude a, first b, interval c
TIME = 39  # the stage time
GRAPH = 40  # graphical function `table` of a
PIPE = 41  # DELAY pipeline `table` with delay time a, read at the step's start

NAMES = {v: k for k, v in dict(globals()).items() if k.isupper() and isinstance(v, int)}
