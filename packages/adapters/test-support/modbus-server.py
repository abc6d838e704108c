#!/usr/bin/python3
"""A Modbus TCP device for the adapters' tests and benchmark: Debian's python3-pymodbus (3.0.x),
a peer that twinkit did not write.

    /usr/bin/python3 modbus-server.py PORT        # PORT 0: any free port

Prints one line `READY <port>` on stdout once it listens on 127.0.0.1, then serves until killed.
Unit id 1 only: pymodbus 3.0 drops a request for another unit id unanswered (the client times out).

Addresses below are protocol addresses (the 16-bit number in the request PDU). The slave context is
built with zero_mode=True on purpose: pymodbus's default (zero_mode=False) adds one to every
request's address before looking it up in the data block, so a client reading address 0 would see
the block's second word. With zero_mode=True and blocks that start at 0, protocol address N is
values[N], which is what the tests' 0-based register maps say (a 1-based map says N + 1).

Word order: 'big' puts the high 16-bit word first (AB CD), 'little' the low word first (CD AB);
inside each register the two bytes are big-endian, as Modbus always sends them.

Holding registers (function 3):
    0      int16   -1234
    1      uint16  54321
    2-3    int32   -123456789   big
    4-5    int32   -123456789   little
    6-7    uint32  3000000000   big
    8-9    uint32  3000000000   little
    10-11  float32 1234.5678    big      (as float32: Math.fround(1234.5678))
    12-13  float32 -273.15      little   (as float32)
    14-15  float32 NaN          big
    16-17  float32 +Infinity    big
    18     uint16  0            (a gap: nobody maps it)
    19     uint16  7
    20     uint16  a counter, +1 every 10 ms (wraps at 65536)
    21-22  float32 seconds since the server started, big, updated every 10 ms
    100-399 uint16  the register's own address (a block for requests longer than 125 registers)
Input registers (function 4):
    0      int16   -42
    1      uint16  4242
    2-3    float32 1.5          little
    4-5    int32   7654321      big
    6-7    uint32  4000000000   little
    20     uint16  the same counter as holding register 20
"""
import asyncio
import struct
import sys
import time

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.server import StartAsyncTcpServer

SIZE = 1000


def words(fmt, value, order):
    """Two 16-bit registers of a 32-bit value in the given word order."""
    high, low = struct.unpack(">HH", struct.pack(">" + fmt, value))
    return [high, low] if order == "big" else [low, high]


def u16(value):
    return value & 0xFFFF


def holding():
    regs = [0] * SIZE
    regs[0] = u16(-1234)
    regs[1] = 54321
    regs[2:4] = words("i", -123456789, "big")
    regs[4:6] = words("i", -123456789, "little")
    regs[6:8] = words("I", 3000000000, "big")
    regs[8:10] = words("I", 3000000000, "little")
    regs[10:12] = words("f", 1234.5678, "big")
    regs[12:14] = words("f", -273.15, "little")
    regs[14:16] = words("f", float("nan"), "big")
    regs[16:18] = words("f", float("inf"), "big")
    regs[19] = 7
    for address in range(100, 400):
        regs[address] = address
    return regs


def inputs():
    regs = [0] * SIZE
    regs[0] = u16(-42)
    regs[1] = 4242
    regs[2:4] = words("f", 1.5, "little")
    regs[4:6] = words("i", 7654321, "big")
    regs[6:8] = words("I", 4000000000, "little")
    return regs


async def tick(device):
    """Registers that change over time, so polling sees new values."""
    started = time.monotonic()
    counter = 0
    while True:
        await asyncio.sleep(0.01)
        counter = (counter + 1) & 0xFFFF
        device.setValues(3, 20, [counter] + words("f", time.monotonic() - started, "big"))
        device.setValues(4, 20, [counter])


async def main(port):
    device = ModbusSlaveContext(
        hr=ModbusSequentialDataBlock(0, holding()),
        ir=ModbusSequentialDataBlock(0, inputs()),
        zero_mode=True,
    )
    context = ModbusServerContext(slaves={1: device}, single=False)
    server = await StartAsyncTcpServer(
        context, address=("127.0.0.1", port), defer_start=True, allow_reuse_address=True
    )
    serving = asyncio.create_task(server.serve_forever())
    await server.serving
    bound = server.server.sockets[0].getsockname()[1]
    print(f"READY {bound}", flush=True)
    ticking = asyncio.create_task(tick(device))
    await asyncio.gather(serving, ticking)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 0))
