package codes.temper.sched;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Optional;

/**
 * libbpf 1.x bindings on java.lang.foreign, in the shape jextract produces: one downcall handle
 * per C function and a static method that invokes it, limited to what {@link BpfScheduler} uses.
 * Written by hand because jextract is not in any registry we can reach; the C prototypes are
 * quoted above each handle so they can be checked against libbpf.h.
 *
 * <p>Every call captures errno: libbpf 1.0 returns NULL or a negative error and sets errno.
 */
final class LibBpf {
    private LibBpf() {
    }

    private static final Linker LINKER = Linker.nativeLinker();
    static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(PathElement.groupElement("errno"));

    /** The loaded library, or empty where libbpf.so.1 is not installed. */
    private static final Optional<SymbolLookup> LIB = load();

    private static Optional<SymbolLookup> load() {
        for (String name : new String[] {"libbpf.so.1", "libbpf.so"}) {
            try {
                return Optional.of(SymbolLookup.libraryLookup(name, Arena.global()));
            } catch (IllegalArgumentException notFound) {
                // try the next name
            }
        }
        return Optional.empty();
    }

    static boolean available() {
        return LIB.isPresent();
    }

    private static MethodHandle fn(String name, FunctionDescriptor fd) {
        return LIB.flatMap(l -> l.find(name))
                .map(addr -> LINKER.downcallHandle(addr, fd, Linker.Option.captureCallState("errno")))
                .orElse(null);
    }

    private static MethodHandle need(MethodHandle h, String name) {
        if (h == null) throw new UnsupportedOperationException("libbpf.so.1 (>= 1.2) with " + name + " is not available");
        return h;
    }

    static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    // struct bpf_object *bpf_object__open_file(const char *path, const struct bpf_object_open_opts *opts);
    private static final MethodHandle OPEN_FILE = fn("bpf_object__open_file", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));

    static MemorySegment bpf_object__open_file(MemorySegment state, MemorySegment path, MemorySegment opts) throws Throwable {
        return (MemorySegment) need(OPEN_FILE, "bpf_object__open_file").invokeExact(state, path, opts);
    }

    // struct bpf_object *bpf_object__open_mem(const void *obj_buf, size_t obj_buf_sz,
    //                                         const struct bpf_object_open_opts *opts);
    private static final MethodHandle OPEN_MEM = fn("bpf_object__open_mem", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));

    static MemorySegment bpf_object__open_mem(MemorySegment state, MemorySegment buf, long size, MemorySegment opts) throws Throwable {
        return (MemorySegment) need(OPEN_MEM, "bpf_object__open_mem").invokeExact(state, buf, size, opts);
    }

    /**
     * The head of struct bpf_object_open_opts: {@code size_t sz; const char *object_name;}. libbpf
     * reads only the first {@code sz} bytes, so a caller that sets just the name passes sz = 16.
     */
    static final StructLayout OPEN_OPTS = java.lang.foreign.MemoryLayout.structLayout(
            JAVA_LONG.withName("sz"), ADDRESS.withName("object_name")).withName("bpf_object_open_opts");

    // int bpf_object__load(struct bpf_object *obj);
    private static final MethodHandle LOAD = fn("bpf_object__load", FunctionDescriptor.of(JAVA_INT, ADDRESS));

    static int bpf_object__load(MemorySegment state, MemorySegment obj) throws Throwable {
        return (int) need(LOAD, "bpf_object__load").invokeExact(state, obj);
    }

    // void bpf_object__close(struct bpf_object *obj);
    private static final MethodHandle CLOSE = fn("bpf_object__close", FunctionDescriptor.ofVoid(ADDRESS));

    static void bpf_object__close(MemorySegment state, MemorySegment obj) throws Throwable {
        need(CLOSE, "bpf_object__close").invokeExact(state, obj);
    }

    // struct bpf_map *bpf_object__find_map_by_name(const struct bpf_object *obj, const char *name);
    private static final MethodHandle FIND_MAP = fn("bpf_object__find_map_by_name", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));

    static MemorySegment bpf_object__find_map_by_name(MemorySegment state, MemorySegment obj, MemorySegment name) throws Throwable {
        return (MemorySegment) need(FIND_MAP, "bpf_object__find_map_by_name").invokeExact(state, obj, name);
    }

    // int bpf_map__fd(const struct bpf_map *map);
    private static final MethodHandle MAP_FD = fn("bpf_map__fd", FunctionDescriptor.of(JAVA_INT, ADDRESS));

    static int bpf_map__fd(MemorySegment state, MemorySegment map) throws Throwable {
        return (int) need(MAP_FD, "bpf_map__fd").invokeExact(state, map);
    }

    // __u32 bpf_map__value_size(const struct bpf_map *map);
    private static final MethodHandle VALUE_SIZE = fn("bpf_map__value_size", FunctionDescriptor.of(JAVA_INT, ADDRESS));

    static int bpf_map__value_size(MemorySegment state, MemorySegment map) throws Throwable {
        return (int) need(VALUE_SIZE, "bpf_map__value_size").invokeExact(state, map);
    }

    // __u32 bpf_map__max_entries(const struct bpf_map *map);
    private static final MethodHandle MAX_ENTRIES = fn("bpf_map__max_entries", FunctionDescriptor.of(JAVA_INT, ADDRESS));

    static int bpf_map__max_entries(MemorySegment state, MemorySegment map) throws Throwable {
        return (int) need(MAX_ENTRIES, "bpf_map__max_entries").invokeExact(state, map);
    }

    // struct bpf_link *bpf_map__attach_struct_ops(const struct bpf_map *map);
    private static final MethodHandle ATTACH_STRUCT_OPS = fn("bpf_map__attach_struct_ops", FunctionDescriptor.of(ADDRESS, ADDRESS));

    static MemorySegment bpf_map__attach_struct_ops(MemorySegment state, MemorySegment map) throws Throwable {
        return (MemorySegment) need(ATTACH_STRUCT_OPS, "bpf_map__attach_struct_ops").invokeExact(state, map);
    }

    // int bpf_link__destroy(struct bpf_link *link);
    private static final MethodHandle LINK_DESTROY = fn("bpf_link__destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));

    static int bpf_link__destroy(MemorySegment state, MemorySegment link) throws Throwable {
        return (int) need(LINK_DESTROY, "bpf_link__destroy").invokeExact(state, link);
    }

    // int bpf_map_update_elem(int fd, const void *key, const void *value, __u64 flags);
    private static final MethodHandle UPDATE = fn("bpf_map_update_elem", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));

    static int bpf_map_update_elem(MemorySegment state, int fd, MemorySegment key, MemorySegment value, long flags) throws Throwable {
        return (int) need(UPDATE, "bpf_map_update_elem").invokeExact(state, fd, key, value, flags);
    }

    // int bpf_map_lookup_elem(int fd, const void *key, void *value);
    private static final MethodHandle LOOKUP = fn("bpf_map_lookup_elem", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));

    static int bpf_map_lookup_elem(MemorySegment state, int fd, MemorySegment key, MemorySegment value) throws Throwable {
        return (int) need(LOOKUP, "bpf_map_lookup_elem").invokeExact(state, fd, key, value);
    }

    // int bpf_map_delete_elem(int fd, const void *key);
    private static final MethodHandle DELETE = fn("bpf_map_delete_elem", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));

    static int bpf_map_delete_elem(MemorySegment state, int fd, MemorySegment key) throws Throwable {
        return (int) need(DELETE, "bpf_map_delete_elem").invokeExact(state, fd, key);
    }

    // int bpf_map_update_batch(int fd, const void *keys, const void *values, __u32 *count,
    //                          const struct bpf_map_batch_opts *opts);
    private static final MethodHandle UPDATE_BATCH = fn("bpf_map_update_batch",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));

    static int bpf_map_update_batch(MemorySegment state, int fd, MemorySegment keys, MemorySegment values, MemorySegment count,
            MemorySegment opts) throws Throwable {
        return (int) need(UPDATE_BATCH, "bpf_map_update_batch").invokeExact(state, fd, keys, values, count, opts);
    }

    // int bpf_map_delete_batch(int fd, const void *keys, __u32 *count, const struct bpf_map_batch_opts *opts);
    private static final MethodHandle DELETE_BATCH = fn("bpf_map_delete_batch", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS));

    static int bpf_map_delete_batch(MemorySegment state, int fd, MemorySegment keys, MemorySegment count, MemorySegment opts) throws Throwable {
        return (int) need(DELETE_BATCH, "bpf_map_delete_batch").invokeExact(state, fd, keys, count, opts);
    }

    // struct btf *bpf_object__btf(const struct bpf_object *obj);
    private static final MethodHandle OBJECT_BTF = fn("bpf_object__btf", FunctionDescriptor.of(ADDRESS, ADDRESS));

    static MemorySegment bpf_object__btf(MemorySegment state, MemorySegment obj) throws Throwable {
        return (MemorySegment) need(OBJECT_BTF, "bpf_object__btf").invokeExact(state, obj);
    }

    // const void *btf__raw_data(const struct btf *btf, __u32 *size);
    private static final MethodHandle BTF_RAW_DATA = fn("btf__raw_data", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));

    static MemorySegment btf__raw_data(MemorySegment state, MemorySegment btf, MemorySegment size) throws Throwable {
        return (MemorySegment) need(BTF_RAW_DATA, "btf__raw_data").invokeExact(state, btf, size);
    }

    // void *bpf_map__initial_value(const struct bpf_map *map, size_t *psize);
    // For a struct_ops map (libbpf >= 1.4) this is the struct the object declares, with a
    // struct bpf_program * in each callback member; libbpf leaves a member the kernel lacks out
    // of the load only when it is zero there.
    private static final MethodHandle INITIAL_VALUE = fn("bpf_map__initial_value", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));

    static MemorySegment bpf_map__initial_value(MemorySegment state, MemorySegment map, MemorySegment size) throws Throwable {
        return (MemorySegment) need(INITIAL_VALUE, "bpf_map__initial_value").invokeExact(state, map, size);
    }

    // int libbpf_num_possible_cpus(void);
    private static final MethodHandle POSSIBLE_CPUS = fn("libbpf_num_possible_cpus", FunctionDescriptor.of(JAVA_INT));

    static int libbpf_num_possible_cpus(MemorySegment state) throws Throwable {
        return (int) need(POSSIBLE_CPUS, "libbpf_num_possible_cpus").invokeExact(state);
    }
}
