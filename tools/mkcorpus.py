#!/usr/bin/env python3
"""Writes the broken-object corpus (test/corpus/NAME.o + NAME.expect) from the two committed base
objects in test/corpus/base/: each case changes one thing, and states the error rawbpf must give.
Run it again after adding a case; the unit tests read the corpus, not this script."""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "..", "test", "corpus")


class Obj:
    def __init__(self, path):
        self.b = bytearray(open(path, "rb").read())
        self.shoff = struct.unpack_from("<Q", self.b, 40)[0]
        self.shnum = struct.unpack_from("<H", self.b, 60)[0]
        shstrndx = struct.unpack_from("<H", self.b, 62)[0]
        self.names = {}
        stroff = self.sh(shstrndx)["offset"]
        for i in range(self.shnum):
            n = self.sh(i)["name"]
            end = self.b.index(b"\0", stroff + n)
            self.names[self.b[stroff + n:end].decode()] = i

    def shaddr(self, i):
        return self.shoff + 64 * i

    def sh(self, i):
        f = struct.unpack_from("<IIQQQQIIQQ", self.b, self.shaddr(i))
        keys = "name type flags addr offset size link info align entsize".split()
        return dict(zip(keys, f))

    def sec(self, name):
        return self.names[name]

    def set_sh(self, i, field, value):
        offs = {"name": (0, "<I"), "type": (4, "<I"), "flags": (8, "<Q"), "offset": (24, "<Q"),
                "size": (32, "<Q"), "link": (40, "<I"), "info": (44, "<I"), "entsize": (56, "<Q")}
        o, f = offs[field]
        struct.pack_into(f, self.b, self.shaddr(i) + o, value)

    def sym_addr(self, name):
        st = self.sh(self.sec(".symtab"))
        strtab = self.sh(st["link"])
        for k in range(st["size"] // 24):
            a = st["offset"] + 24 * k
            n = struct.unpack_from("<I", self.b, a)[0]
            s = strtab["offset"] + n
            if self.b[s:self.b.index(b"\0", s)].decode() == name:
                return a, k
        raise KeyError(name)

    def rel_addr(self, relsec, k=0):
        return self.sh(self.sec(relsec))["offset"] + 16 * k


cases = []


def case(name, base, expect):
    def wrap(fn):
        cases.append((name, base, expect, fn))
        return fn
    return wrap


def u16(o, off, v): struct.pack_into("<H", o.b, off, v)
def u32(o, off, v): struct.pack_into("<I", o.b, off, v)
def u64(o, off, v): struct.pack_into("<Q", o.b, off, v)


H, G = "hello.o", "globals.o"
PROG = "ksyscall/execve"
REL = ".reltp/syscalls/sys_enter_execve"


def main():
    for name, base, expect, fn in cases:
        o = Obj(os.path.join(CORPUS, "base", base))
        res = fn(o)
        data = res if isinstance(res, (bytes, bytearray)) else o.b
        if callable(expect):
            expect = expect(o, data)
        open(os.path.join(CORPUS, name + ".o"), "wb").write(data)
        open(os.path.join(CORPUS, name + ".expect"), "w").write(expect + "\n")
    print(f"{len(cases)} cases written to {os.path.normpath(CORPUS)}")


# --- the ELF header ---
@case("empty-prefix", H, "truncated: 40 bytes, an ELF64 header needs 64")
def _(o): return o.b[:40]

@case("bad-magic", H, "not an ELF file (bad magic)")
def _(o): o.b[1] = ord("X")

@case("class32", H, "not a 64-bit ELF file (class 1); BPF objects are ELF64")
def _(o): o.b[4] = 1

@case("big-endian", H, "big-endian ELF (data encoding 2); this build reads little-endian BPF objects (clang -target bpfel)")
def _(o): o.b[5] = 2

@case("bad-version", H, "unknown ELF version 7")
def _(o): u32(o, 20, 7)

@case("wrong-machine", H, "wrong machine 62: not a BPF object (e_machine must be 247, EM_BPF)")
def _(o): u16(o, 18, 62)

@case("not-relocatable", H, "ELF type 2: not a relocatable object (compile with clang -target bpf -c)")
def _(o): u16(o, 16, 2)

@case("shentsize", H, "section header size 32, expected 64")
def _(o): u16(o, 58, 32)

@case("no-sections", H, "no section headers (e_shnum is 0)")
def _(o): u16(o, 60, 0)

@case("shoff-past-end", H, lambda o, d: f"section header table (offset {len(d) - 100}, 12 entries) extends past the end of the file ({len(d)} bytes)")
def _(o): u64(o, 40, len(o.b) - 100)

@case("shoff-overflow", H, lambda o, d: f"section header table (offset 18446744073709551360, 12 entries) extends past the end of the file ({len(d)} bytes)")
def _(o): u64(o, 40, 2**64 - 256)

@case("truncated-sections", H, lambda o, d: f"section header table (offset {o.shoff}, 12 entries) extends past the end of the file ({len(d)} bytes)")
def _(o): return o.b[:-64]

@case("shstrndx-range", H, "section name table index 200 out of range (12 sections)")
def _(o): u16(o, 62, 200)

@case("shstrtab-type", H, "section name table (section 1) is not a NUL-terminated string table")
def _(o): o.set_sh(1, "type", 1)

@case("shstrtab-unterminated", H, "section name table (section 1) is not a NUL-terminated string table")
def _(o): o.b[o.sh(1)["offset"] + o.sh(1)["size"] - 1] = ord("x")

# --- sections ---
@case("section-name-offset", H, lambda o, d: f"section 3: name offset 2147483647 past the end of the name table ({o.sh(1)['size']} bytes)")
def _(o): o.set_sh(o.sec(PROG), "name", 0x7fffffff)

@case("section-offset-past-end", H, lambda o, d: f"section 3 'ksyscall/execve': offset {len(d)} + size 104 past the end of the file ({len(d)} bytes)")
def _(o): o.set_sh(o.sec(PROG), "offset", len(o.b))

@case("section-size-overflow", H, lambda o, d: f"section 3 'ksyscall/execve': offset 64 + size 18446744073709551615 past the end of the file ({len(d)} bytes)")
def _(o): o.set_sh(o.sec(PROG), "size", 2**64 - 1)

# --- the symbol table ---
@case("symtab-entsize", H, "symbol table '.symtab': entry size 16, expected 24")
def _(o): o.set_sh(o.sec(".symtab"), "entsize", 16)

@case("symtab-size", H, "symbol table '.symtab': size 95 is not a multiple of 24")
def _(o): o.set_sh(o.sec(".symtab"), "size", 95)

@case("symtab-link", H, "symbol table '.symtab': string table index 99 out of range (12 sections)")
def _(o): o.set_sh(o.sec(".symtab"), "link", 99)

@case("symtab-strtab-type", H, "symbol string table (section 3) is not a NUL-terminated string table")
def _(o): o.set_sh(o.sec(".symtab"), "link", 3)

@case("no-symtab", H, "no symbol table: programs cannot be found (was the object stripped with --strip-all?)")
def _(o): o.set_sh(o.sec(".symtab"), "type", 1)

@case("symbol-name-offset", H, lambda o, d: f"symbol 2: name offset 305419896 past the end of the string table ({o.sh(1)['size']} bytes)")
def _(o): u32(o, o.sym_addr("hello")[0], 0x12345678)

@case("symbol-section-index", H, "symbol 'hello': section index 77 out of range (12 sections)")
def _(o): u16(o, o.sym_addr("hello")[0] + 6, 77)

# --- programs ---
@case("prog-past-section", H, "prog 'hello': offset 0 + size 4096 past the end of section 'ksyscall/execve' (104 bytes)")
def _(o): u64(o, o.sym_addr("hello")[0] + 16, 4096)

@case("prog-partial-insn", H, "prog 'hello': offset 0 or size 100 is not a whole number of instructions")
def _(o): u64(o, o.sym_addr("hello")[0] + 16, 100)

@case("prog-misaligned-start", H, "prog 'hello': offset 4 or size 96 is not a whole number of instructions")
def _(o):
    a = o.sym_addr("hello")[0]
    u64(o, a + 8, 4)
    u64(o, a + 16, 96)

@case("unknown-section", H, "prog 'hello': unknown section name 'kfoobarx/execve' (rawbpf knows kprobe/, kretprobe/, ksyscall/, kretsyscall/, tracepoint/, tp/, raw_tp/, uprobe/, uretprobe/, usdt/, fentry/, fexit/, fmod_ret/, tp_btf/, lsm/, xdp, socket, tc, perf_event)")
def _(o):
    off = o.sh(1)["offset"] + o.sh(o.sec(PROG))["name"]
    o.b[off:off + 8] = b"kfoobarx"

@case("no-target", H, "prog 'hello': section 'kprobe/' names no attach target after 'kprobe/'")
def _(o):
    off = o.sh(1)["offset"] + o.sh(o.sec(PROG))["name"]
    o.b[off:off + 16] = b"kprobe/\0\0\0\0\0\0\0\0\0"

@case("license-unterminated", H, "section 'license' is not a NUL-terminated string")
def _(o):
    off = o.sh(o.sec("license"))["offset"]
    o.b[off:off + 4] = b"GPLX"

@case("no-programs", H, "no programs: no global function in a section rawbpf can load")
def _(o): o.set_sh(o.sec(PROG), "flags", 2)  # SHF_ALLOC only: not code

# --- relocations (globals.o has one: ld_imm64 of 'counter' in its program) ---
@case("reloc-misaligned", G, "tp/syscalls/sys_enter_execve: relocation #0: offset 4 is not at an instruction boundary")
def _(o): u64(o, o.rel_addr(REL), 4)

@case("reloc-past-end", G, "tp/syscalls/sys_enter_execve: relocation #0: offset 56 past the end of the section (56 bytes)")
def _(o): u64(o, o.rel_addr(REL), 56)

@case("reloc-offset-overflow", G, "tp/syscalls/sys_enter_execve: relocation #0: offset 18446744073709551608 past the end of the section (56 bytes)")
def _(o): u64(o, o.rel_addr(REL), 2**64 - 8)

@case("reloc-symbol-index", G, "tp/syscalls/sys_enter_execve: relocation #0: symbol index 1000 out of range (5 symbols)")
def _(o): u64(o, o.rel_addr(REL) + 8, (1000 << 32) | 1)

@case("reloc-type", G, "tp/syscalls/sys_enter_execve: relocation #0: type 2 is not valid in code")
def _(o): u64(o, o.rel_addr(REL) + 8, (3 << 32) | 2)

@case("reloc-entsize", G, "relocation section '.reltp/syscalls/sys_enter_execve': entry size 24 and size 16 do not fit 16-byte entries")
def _(o): o.set_sh(o.sec(REL), "entsize", 24)

@case("reloc-target-index", G, "relocation section '.reltp/syscalls/sys_enter_execve': target section index 40 out of range (13 sections)")
def _(o): o.set_sh(o.sec(REL), "info", 40)

@case("reloc-symtab-link", G, "relocation section '.reltp/syscalls/sys_enter_execve': symbol table index 5 is not the symbol table")
def _(o): o.set_sh(o.sec(REL), "link", 5)

@case("reloc-undefined-symbol", G, "prog 'count': relocation #0: symbol 'counter' is undefined, and not an extern of .kconfig or .ksyms")
def _(o): u16(o, o.sym_addr("counter")[0] + 6, 0)

@case("reloc-data-past-end", G, lambda o, d: f"section 4 '.reltp/syscalls/sys_enter_execve': offset {len(d) - 8} + size 16 past the end of the file ({len(d)} bytes)")
def _(o): o.set_sh(o.sec(REL), "offset", len(o.b) - 8)


# --- found by fuzzing obj_parse (tools/fuzz/) and by reading it; maps.o is the fuzzing seed
# tools/fuzz/seeds/maps.bpf.c, built with -g and stripped of DWARF (llvm-strip -g): BTF-defined maps,
# a prog array 'jumps' (max_entries 2) with one initial value (slot 1: tail_target), global data,
# BPF-to-BPF calls into .text ---
M = "maps.o"


def btf_types(o):
    """The .BTF section's types, id -> (kind, vlen, name, size_or_type, file offset of the record
    after the 12-byte header), and a function giving a name from its offset."""
    b, base = o.b, o.sh(o.sec(".BTF"))["offset"]
    hdr_len, type_off, type_len, str_off = struct.unpack_from("<IIII", b, base + 4)
    strs = base + hdr_len + str_off
    name_at = lambda n: b[strs + n:b.index(b"\0", strs + n)].decode()
    types, off, tid = {}, base + hdr_len + type_off, 1
    end = off + type_len
    while off < end:
        name, info, sot = struct.unpack_from("<III", b, off)
        kind, vlen = (info >> 24) & 0x1f, info & 0xffff
        extra = {1: 4, 3: 12, 4: 12 * vlen, 5: 12 * vlen, 6: 8 * vlen, 13: 8 * vlen, 14: 4, 15: 12 * vlen,
                 17: 4, 19: 12 * vlen}.get(kind, 0)
        types[tid] = (kind, vlen, name_at(name), sot, off + 12)
        off, tid = off + 12 + extra, tid + 1
    return types, name_at


def btf_map_uint(o, var, field):
    """File offset of N in the BTF of map var's __uint(field, N): VAR -> STRUCT -> member -> PTR -> ARRAY."""
    t, name_at = btf_types(o)
    struct_id = next(v[3] for v in t.values() if v[0] == 14 and v[2] == var)
    _, vlen, _, _, rec = t[struct_id]
    for m in range(vlen):
        name_off, mtype, _ = struct.unpack_from("<III", o.b, rec + 12 * m)
        if name_at(name_off) == field:
            array = t[t[mtype][3]]
            assert array[0] == 3  # ARRAY: elem type, index type, nelems
            return array[4] + 8
    raise KeyError(field)


@case("map-values-duplicate", M, "map 'jumps': initial value #1: set twice")
def _(o):
    # .rel.maps gets three copies of its one entry (over the first two entries of .rel.BTF, which
    # follow it and which rawbpf does not read): one slot of a 2-entry prog array set three times.
    a = o.rel_addr(".rel.maps")
    assert o.rel_addr(".rel.BTF") == a + 16
    o.b[a + 16:a + 48] = o.b[a:a + 16] * 2
    o.set_sh(o.sec(".rel.maps"), "size", 48)

@case("map-values-huge", M, "'.maps': relocation #1 at offset 0 is not in a map's initial values")
def _(o):
    # max_entries 2^32-1 for the prog array, and a second .rel.maps entry that is not in its
    # values. Parsing must not allocate by max_entries (a file's number, up to 64 GiB of slots).
    struct.pack_into("<I", o.b, btf_map_uint(o, "jumps", "max_entries"), 0xffffffff)
    a = o.rel_addr(".rel.maps")
    o.b[a + 16:a + 32] = struct.pack("<Q", 0) + o.b[a + 8:a + 16]
    o.set_sh(o.sec(".rel.maps"), "size", 32)

@case("reloc-call-overflow", M, "prog 'on_exec': relocation #2: call target 9223372036854776256 outside '.text' (568 bytes)")
def _(o):
    # The .text section symbol (symbol 1, the target of calls to the static bump()) at value
    # 2^63 - 8: symbol + (imm + 1) * 8 does not fit a signed 64-bit number.
    st = o.sh(o.sec(".symtab"))["offset"]
    u64(o, st + 24 + 8, 2**63 - 8)

@case("reloc-call-misaligned", M, "prog 'on_exec': relocation #2: call target 460 in '.text' is not on an instruction boundary")
def _(o):
    # The .text section symbol at value 4: symbol + (imm + 1) * 8 lands in the middle of an instruction.
    st = o.sh(o.sec(".symtab"))["offset"]
    u64(o, st + 24 + 8, 4)

@case("func-overlap", G, "function 'f1': offset 24 + size 32 overlaps function 'f2' in section 'tp/syscalls/sys_enter_execve'")
def _(o):
    # count (3 instructions) calls f1 (offsets 24..56) and f2 (32..56, inside f1): the relocated
    # ld_imm64 at 32 is linked into count twice, once per function.
    code, st = o.sh(o.sec(PROG_G))["offset"], o.sh(o.sec(".symtab"))["offset"]
    o.b[code:code + 56] = bytes.fromhex(
        "8510000002000000" "8510000002000000" "9500000000000000"  # call f1; call f2; exit
        "b700000000000000"                                        # f1: r0 = 0
        "1801000000000000" "0000000000000000"                     # f2: r1 = counter ll
        "9500000000000000")                                       # exit
    u64(o, o.rel_addr(REL), 32)
    # the names go in the 6 bytes between .strtab and the section headers
    strtab = o.sh(o.sec(".strtab"))
    end = strtab["offset"] + strtab["size"]
    assert o.b[end:end + 6] == bytes(6) and end + 6 <= o.shoff
    o.b[end:end + 6] = b"f1\0f2\0"
    o.set_sh(o.sec(".strtab"), "size", strtab["size"] + 6)
    sym = lambda k, name, info, value, size: struct.pack_into("<IBBHQQ", o.b, st + 24 * k, name, info, 0,
                                                               o.sec(PROG_G), value, size)
    sym(1, strtab["size"] + 3, 0x02, 32, 24)  # f2, a local function: symbol 1, so found first
    u64(o, o.sym_addr("count")[0] + 16, 24)   # count: 3 instructions
    sym(4, strtab["size"], 0x02, 24, 32)      # f1, a local function (was _license's symbol)


PROG_G = "tp/syscalls/sys_enter_execve"


# --- the BTF reader and the maps it describes (hello-map.o: a BTF-defined hash map; .BTF is
# 24 bytes of header, 444 of types, 428 of strings), the legacy maps section and .BTF.ext ---
HM = "hello-map.o"


def btf_at(o):
    return o.sh(o.sec(".BTF"))["offset"]


def btf_str(o, old, new):
    """Replaces a string of the same length in the .BTF string section."""
    base = btf_at(o)
    hdr_len, _, _, str_off, str_len = struct.unpack_from("<IIIII", o.b, base + 4)
    strs = base + hdr_len + str_off
    i = o.b.index(old + b"\0", strs, strs + str_len)
    o.b[i:i + len(new)] = new


@case("btf-bad-magic", HM, "section '.BTF': BTF: bad magic 0x1234")
def _(o): u16(o, btf_at(o), 0x1234)

@case("btf-truncated-header", HM, "section '.BTF': BTF: truncated header (10 bytes)")
def _(o): o.set_sh(o.sec(".BTF"), "size", 10)

@case("btf-strings-past-end", HM, "section '.BTF': BTF: type (0+444) or string (444+100000) section past the end (872 bytes)")
def _(o): u32(o, btf_at(o) + 20, 100000)

@case("btf-type-length-odd", HM, "section '.BTF': BTF: type section offset 0 or length 442 not a multiple of 4")
def _(o): u32(o, btf_at(o) + 12, 442)

@case("btf-unknown-kind", HM, "section '.BTF': BTF: type 1 has unknown kind 31")
def _(o): u32(o, btf_at(o) + 24 + 4, 31 << 24)

@case("btf-type-name-offset", HM, "section '.BTF': BTF: type 1: name offset 305419896 past the string section (428 bytes)")
def _(o): u32(o, btf_at(o) + 24, 0x12345678)

@case("btf-strings-unterminated", HM, "section '.BTF': BTF: string section is not NUL-terminated or does not start with an empty string")
def _(o): o.b[btf_at(o) + 24 + 444 + 427] = ord("x")

@case("btf-map-unknown-field", HM, "map 'counter_table': unknown definition field 'max_entriez'")
def _(o): btf_str(o, b"max_entries", b"max_entriez")

@case("btf-no-maps-datasec", HM, "section '.maps': no DATASEC '.maps' in the object's BTF")
def _(o): btf_str(o, b".maps", b".mapz")

@case("btf-ext-bad-magic", HM, "section '.BTF.ext': bad magic or header length 32")
def _(o): u16(o, o.sh(o.sec(".BTF.ext"))["offset"], 0)

@case("legacy-maps-size", "legacy_map.o", "section 'maps': 1 maps in 18 bytes: not a whole number of 20-byte definitions")
def _(o): o.set_sh(o.sec("maps"), "size", 18)

# --- CO-RE relocations (.BTF.ext core_relo), on core_kinds.bpf.o without DWARF ---
C = "core.o"


def core_relo(o, k=0):
    """File offset of the core_relo subsection's record size, and of record k."""
    x = o.sh(o.sec(".BTF.ext"))["offset"]
    hdr_len, off = struct.unpack_from("<I", o.b, x + 4)[0], struct.unpack_from("<I", o.b, x + 24)[0]
    sub = x + hdr_len + off
    return sub, sub + 4 + 8 + 16 * k


@case("core-bad-kind", C, "prog 'core_kinds': CO-RE relocation #0 (instruction 1): unknown relocation kind 99")
def _(o): u32(o, core_relo(o)[1] + 12, 99)

@case("core-type-range", C, "prog 'core_kinds': CO-RE relocation #0 (instruction 1): BTF: type id 9999 out of range (21 types)")
def _(o): u32(o, core_relo(o)[1] + 4, 9999)

@case("core-access-range", C, "prog 'core_kinds': CO-RE relocation #0 (instruction 1): access string offset 99999 out of range or empty")
def _(o): u32(o, core_relo(o)[1] + 8, 99999)

@case("core-access-malformed", C, 'prog \'core_kinds\': CO-RE relocation #0 (instruction 1): malformed access string "core_kinds"')
def _(o): u32(o, core_relo(o)[1] + 8, core_name_off(o))

@case("core-member-range", C, lambda o, d: f"prog 'core_kinds': CO-RE relocation #15 (instruction 37): access \"0:2:3\": type {list_head_id(o)} has no member 2")
def _(o): u32(o, core_relo(o, 15)[1] + 4, list_head_id(o))

@case("core-record-size", C, "section '.BTF.ext': record size 8 (expected at least 16)")
def _(o): u32(o, core_relo(o)[0], 8)

@case("core-subsection-past-end", C, lambda o, d: f"section '.BTF.ext': a subsection (offset {core_off(o)}, 1000000 bytes) past its end ({o.sh(o.sec('.BTF.ext'))['size']} bytes)")
def _(o):
    x = o.sh(o.sec(".BTF.ext"))["offset"]
    u32(o, x + 28, 1000000)


def core_off(o):
    return struct.unpack_from("<I", o.b, o.sh(o.sec(".BTF.ext"))["offset"] + 24)[0]


def btf_string_off(o, s):
    x = o.sh(o.sec(".BTF"))["offset"]
    hdr_len, str_off = struct.unpack_from("<I", o.b, x + 4)[0], struct.unpack_from("<I", o.b, x + 16)[0]
    base = x + hdr_len + str_off
    return o.b.index(b"\0" + s + b"\0", base) + 1 - base


def core_name_off(o):
    return btf_string_off(o, b"core_kinds")


def list_head_id(o):
    t, _ = btf_types(o)
    return next(k for k, v in t.items() if v[0] == 4 and v[2] == "list_head")


def kernel_refuses_btf():
    """test/corpus/kernel/btf-refused.o: hello-map whose BTF our reader accepts and the kernel
    refuses (a FUNC with linkage 7, which no kernel knows): rawbpf must load it without BTF."""
    o = Obj(os.path.join(CORPUS, "base", HM))
    t, _ = btf_types(o)
    fid = next(k for k, v in t.items() if v[0] == 12)  # FUNC: vlen holds the linkage
    info_at = t[fid][4] - 12 + 4
    u32(o, info_at, (12 << 24) | 7)
    os.makedirs(os.path.join(CORPUS, "kernel"), exist_ok=True)
    open(os.path.join(CORPUS, "kernel", "btf-refused.o"), "wb").write(o.b)


if __name__ == "__main__":
    main()
    kernel_refuses_btf()
