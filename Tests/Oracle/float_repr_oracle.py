"""Python's repr() of floats given as hexadecimal bit patterns, one per line
in the file named by the argument; prints one repr per line. Test oracle for Double.pythonRepr."""
import struct
import sys

for line in open(sys.argv[1]).read().split():
    print(repr(struct.unpack(">d", bytes.fromhex(line))[0]))
