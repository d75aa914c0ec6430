// The emulator's kernel scheduler: CUDA threads run on fibers (stacks of
// their own) on the calling host thread. The blocks of a grid run one after
// another; inside a block the threads run in index order, each until it
// finishes or reaches a barrier (__syncthreads, or one of the two warp-wide
// barriers of a shuffle); a fiber whose thread finished goes on with the next
// thread, so a kernel without barriers needs one fiber. When every thread has
// started and none can run, the barrier that every live thread of the block
// (or of one warp) waits at is released. A barrier that can never be
// released (some threads at __syncthreads, others finished or at a different
// barrier) is reported as a fault, as is a shuffle that reads a lane which
// exited or did not reach it.
//
// GRADNODE_CUDA_EMU_ORDER=reverse runs the blocks, and the threads of each
// block, from the last; =random in a shuffled order (seeded by
// GRADNODE_CUDA_EMU_SEED, default 1, so a failure repeats). A kernel whose
// result depends on the order threads or blocks run in (a race, or a missing
// barrier) then gives another answer. Every such order is one a GPU may run.
//
// The context switch is a few lines of x86-64 assembly (callee-saved
// registers, MXCSR and the x87 control word), not swapcontext, which makes a
// system call per switch.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <string>
#include <vector>

#include "internal.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#endif

#if !defined(__x86_64__)
#error "the CUDA emulator's context switch is written for x86-64"
#endif

extern "C" void gnemu_switch(void** saveSp, void* loadSp);

asm(R"(
.text
.p2align 4
.globl gnemu_switch
.hidden gnemu_switch
.type gnemu_switch,@function
gnemu_switch:
  pushq %rbp
  pushq %rbx
  pushq %r12
  pushq %r13
  pushq %r14
  pushq %r15
  subq $8, %rsp
  stmxcsr (%rsp)
  fnstcw 4(%rsp)
  movq %rsp, (%rdi)
  movq %rsi, %rsp
  ldmxcsr (%rsp)
  fldcw 4(%rsp)
  addq $8, %rsp
  popq %r15
  popq %r14
  popq %r13
  popq %r12
  popq %rbx
  popq %rbp
  ret
.size gnemu_switch,.-gnemu_switch
.section .note.GNU-stack,"",@progbits
.text
)");

namespace gnemu {
namespace {

constexpr size_t kStackBytes = size_t{256} << 10;  // per fiber, plus a guard page below it
constexpr unsigned kMaxThreadsPerBlock = 1024;

enum class State { kUnstarted, kRunning, kRunnable, kAtBlockBarrier, kAtWarpBarrier, kDone };

enum class Order { kIndex, kReverse, kRandom };

Order orderFromEnv() {
  const char* v = std::getenv("GRADNODE_CUDA_EMU_ORDER");
  if (v && std::strcmp(v, "reverse") == 0) return Order::kReverse;
  if (v && std::strcmp(v, "random") == 0) return Order::kRandom;
  return Order::kIndex;
}

/** splitmix64 over one sequence per host thread, seeded by GRADNODE_CUDA_EMU_SEED (default 1). */
uint64_t nextRandom() {
  thread_local uint64_t state = [] {
    const char* v = std::getenv("GRADNODE_CUDA_EMU_SEED");
    return v ? std::strtoull(v, nullptr, 10) : 1;
  }();
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/** 0..n-1 in the given order (Fisher-Yates for kRandom). */
void permutation(Order order, size_t n, std::vector<unsigned>& out) {
  out.resize(n);
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<unsigned>(order == Order::kReverse ? n - 1 - i : i);
  if (order != Order::kRandom) return;
  for (size_t i = n; i > 1; --i) std::swap(out[i - 1], out[nextRandom() % i]);
}

struct Fiber;

/** One CUDA thread of the running block. */
struct Thread {
  uint3 tid{0, 0, 0};
  State state = State::kUnstarted;
  Fiber* fiber = nullptr;     // the fiber it runs on, once started
  uint64_t shuffleRound = 0;  // shuffles this thread has entered
  uint64_t shuffleValue = 0;  // what it offers in the current one
};

/**
 * A stack that runs CUDA threads: it takes the next unstarted thread of the
 * block whenever its own finishes, so a kernel without barriers runs a whole
 * block on one fiber; a thread parked at a barrier keeps its fiber, and the
 * scheduler starts another for the threads after it.
 */
struct Fiber {
  void* sp = nullptr;
  char* stackTop = nullptr;
};

/** One host thread's scheduler (thread_local: each runs its own launches). */
struct Scheduler {
  std::vector<Thread> threads;
  std::deque<Fiber> fibers;    // stacks mmap'ed once, reused by every launch (a deque: Fiber* stay valid)
  std::vector<Fiber*> idle;    // fibers whose threads have all finished
  unsigned count = 0;          // threads in the block
  unsigned nextUnstarted = 0;
  Order mode = Order::kIndex;   // GRADNODE_CUDA_EMU_ORDER, read at each launch
  std::vector<unsigned> order;  // the block's threads in the order they start
  void* schedulerSp = nullptr;
  Thread* current = nullptr;   // the thread running now (null in host code)
  Fiber* currentFiber = nullptr;
  void (*body)(void*) = nullptr;
  void* context = nullptr;
  std::string faultMessage;    // set by a fiber that faulted
};

thread_local Scheduler sched;

std::string blockName() {
  const Builtins& b = builtins();
  return "block (" + std::to_string(b.block.x) + "," + std::to_string(b.block.y) + "," +
         std::to_string(b.block.z) + ")";
}

std::string threadName(const uint3& t) {
  return "thread (" + std::to_string(t.x) + "," + std::to_string(t.y) + "," + std::to_string(t.z) + ")";
}

/** Switches from the running fiber back to the scheduler. */
void yieldToScheduler() {
  Scheduler& s = sched;
  gnemu_switch(&s.currentFiber->sp, s.schedulerSp);
}

[[noreturn]] void fiberEntry() {
  Scheduler& s = sched;
  Fiber* me = s.currentFiber;
  while (s.nextUnstarted < s.count) {
    const unsigned k = s.nextUnstarted++;
    Thread& t = s.threads[s.order[k]];
    t.state = State::kRunning;
    t.fiber = me;
    s.current = &t;
    builtins().thread = t.tid;
    s.body(s.context);
    t.state = State::kDone;
  }
  s.idle.push_back(me);
  yieldToScheduler();  // an idle fiber is started afresh, never resumed
  __builtin_unreachable();
}

/** An idle fiber, or a new one with a stack; null when mmap fails. */
Fiber* idleFiber() {
  Scheduler& s = sched;
  if (!s.idle.empty()) {
    Fiber* f = s.idle.back();
    s.idle.pop_back();
    return f;
  }
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  void* region = mmap(nullptr, kStackBytes + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                      -1, 0);
  if (region == MAP_FAILED) return nullptr;
  mprotect(region, page, PROT_NONE);  // a stack overflow faults instead of corrupting the next stack
  Fiber f;
  f.stackTop = static_cast<char*>(region) + page + kStackBytes;
  s.fibers.push_back(f);
  return &s.fibers.back();
}

/** Prepares fiber f to start at fiberEntry (the stack gnemu_switch expects). */
void startFiber(Fiber& f) {
#if defined(__SANITIZE_ADDRESS__)
  // The frames a fiber left behind (fiberEntry never returns) keep their redzones poisoned.
  __asan_unpoison_memory_region(f.stackTop - kStackBytes, kStackBytes);
#endif
  auto* sp = reinterpret_cast<uint64_t*>(f.stackTop);  // 16-byte aligned
  *--sp = 0;                                          // fiberEntry's return address (never used)
  *--sp = reinterpret_cast<uint64_t>(&fiberEntry);    // where gnemu_switch's ret goes
  for (int r = 0; r < 6; ++r) *--sp = 0;               // rbp rbx r12 r13 r14 r15
  --sp;                                                // MXCSR and the x87 control word
  uint32_t mxcsr;
  uint16_t fpucw;
  asm volatile("stmxcsr %0" : "=m"(mxcsr));
  asm volatile("fnstcw %0" : "=m"(fpucw));
  std::memcpy(reinterpret_cast<char*>(sp), &mxcsr, 4);
  std::memcpy(reinterpret_cast<char*>(sp) + 4, &fpucw, 2);
  f.sp = sp;
}

/** Parks the running thread at `barrier` until the scheduler releases it. */
void wait(State barrier) {
  Scheduler& s = sched;
  Thread* me = s.current;
  me->state = barrier;
  yieldToScheduler();
}

/** A fault inside a kernel: recorded, and the launch is abandoned (its fibers are started afresh later). */
[[noreturn]] void faultInFiber(const std::string& message) {
  Scheduler& s = sched;
  s.faultMessage = blockName() + ", " + threadName(s.current->tid) + ": " + message;
  s.current->state = State::kDone;
  yieldToScheduler();
  __builtin_unreachable();
}

/**
 * Releases the barrier the waiting threads can pass: a warp whose live lanes
 * all wait at a shuffle, else the block barrier when every live thread waits
 * there. Returns false on a deadlock, with its description in `why`.
 */
bool release(std::string& why) {
  Scheduler& s = sched;
  bool released = false;
  for (unsigned w = 0; w * 32 < s.count; ++w) {
    const unsigned end = (w + 1) * 32 < s.count ? (w + 1) * 32 : s.count;
    bool any = false, all = true;
    for (unsigned t = w * 32; t < end; ++t) {
      const State st = s.threads[t].state;
      if (st == State::kDone) continue;
      any = true;
      if (st != State::kAtWarpBarrier) all = false;
    }
    if (any && all) {
      for (unsigned t = w * 32; t < end; ++t) {
        if (s.threads[t].state == State::kAtWarpBarrier) s.threads[t].state = State::kRunnable;
      }
      released = true;
    }
  }
  if (released) return true;
  unsigned atBlock = 0, atWarp = 0, live = 0;
  for (unsigned t = 0; t < s.count; ++t) {
    const State st = s.threads[t].state;
    if (st == State::kDone) continue;
    ++live;
    if (st == State::kAtBlockBarrier) ++atBlock;
    if (st == State::kAtWarpBarrier) ++atWarp;
  }
  if (atBlock == live) {
    for (unsigned t = 0; t < s.count; ++t) {
      if (s.threads[t].state == State::kAtBlockBarrier) s.threads[t].state = State::kRunnable;
    }
    return true;
  }
  why = blockName() + ": deadlock: " + std::to_string(atBlock) + " of " + std::to_string(s.count) +
        " threads wait at __syncthreads(), " + std::to_string(atWarp) + " at a warp shuffle whose warp has lanes at " +
        "__syncthreads(), " + std::to_string(s.count - live) + " have exited";
  return false;
}

/** Switches into fiber f (running thread t, or the next unstarted ones when t is null); false on a fault. */
bool resume(Fiber& f, Thread* t, std::string& why) {
  Scheduler& s = sched;
  s.currentFiber = &f;
  if (t) {
    t->state = State::kRunning;
    s.current = t;
    builtins().thread = t->tid;
  }
  gnemu_switch(&s.schedulerSp, f.sp);
  if (s.faultMessage.empty()) return true;
  why = s.faultMessage;
  s.faultMessage.clear();
  return false;
}

/** Runs one block to completion; false on a fault (message in `why`). */
bool runBlock(std::string& why) {
  Scheduler& s = sched;
  const uint3 bd = builtins().blockSize;
  unsigned i = 0;
  for (unsigned z = 0; z < bd.z; ++z) {
    for (unsigned y = 0; y < bd.y; ++y) {
      for (unsigned x = 0; x < bd.x; ++x) s.threads[i++] = Thread{uint3{x, y, z}};
    }
  }
  s.nextUnstarted = 0;
  permutation(s.mode, s.count, s.order);
  for (;;) {
    // Start the unstarted threads: a fiber runs them one after another until one parks at a barrier.
    while (s.nextUnstarted < s.count) {
      Fiber* f = idleFiber();
      if (!f) {
        why = "cannot map a fiber stack";
        return false;
      }
      startFiber(*f);
      if (!resume(*f, nullptr, why)) return false;
    }
    bool live = false;
    for (unsigned t = 0; t < s.count && !live; ++t) live = s.threads[t].state != State::kDone;
    if (!live) return true;
    if (!release(why)) return false;
    for (unsigned k = 0; k < s.count; ++k) {
      Thread& th = s.threads[s.order[k]];
      if (th.state == State::kRunnable && !resume(*th.fiber, &th, why)) return false;
    }
  }
}

bool validConfig(const LaunchConfig& c) {
  const dim3 &g = c.grid, &b = c.block;
  if (b.x == 0 || b.y == 0 || b.z == 0 || g.x == 0 || g.y == 0 || g.z == 0) return false;
  if (b.x > 1024 || b.y > 1024 || b.z > 64) return false;
  if (uint64_t(b.x) * b.y * b.z > kMaxThreadsPerBlock) return false;
  if (g.x > 0x7fffffffu || g.y > 65535 || g.z > 65535) return false;
  return c.sharedBytes <= (48u << 10);
}

}  // namespace


void run(const char* kernel, const LaunchConfig& config, void (*body)(void*), void* context) {
  if (stickyError() != cudaSuccess) {
    setLastError(stickyError());
    return;
  }
  if (!validConfig(config)) {
    setLastError(cudaErrorInvalidConfiguration);
    return;
  }
  Scheduler& s = sched;
  if (s.current) {
    fault(cudaErrorLaunchFailure, std::string(kernel) + ": launched from inside a kernel (dynamic parallelism is not emulated)");
    return;
  }
  const unsigned threads = config.block.x * config.block.y * config.block.z;
  if (s.threads.size() < threads) s.threads.resize(threads);
  s.count = threads;
  s.body = body;
  s.context = context;
  Builtins& b = builtins();
  b.blockSize = uint3{config.block.x, config.block.y, config.block.z};
  b.gridSize = uint3{config.grid.x, config.grid.y, config.grid.z};
  std::string why;
  s.mode = orderFromEnv();
  const dim3 g = config.grid;
  const uint64_t blocks = uint64_t(g.x) * g.y * g.z;
  // Shuffling the blocks needs a list of them: past 2^24 blocks they keep index order.
  std::vector<unsigned> blockOrder;
  if (s.mode != Order::kIndex && blocks <= (uint64_t{1} << 24)) permutation(s.mode, blocks, blockOrder);
  for (uint64_t i = 0; i < blocks; ++i) {
    const uint64_t k = blockOrder.empty() ? i : blockOrder[i];
    b.block = uint3{static_cast<unsigned>(k % g.x), static_cast<unsigned>(k / g.x % g.y),
                    static_cast<unsigned>(k / g.x / g.y)};
    const bool ok = runBlock(why);
    s.current = nullptr;
    if (!ok) {
      s.idle.clear();  // the abandoned threads' stacks are reused
      for (Fiber& f : s.fibers) s.idle.push_back(&f);
      fault(cudaErrorLaunchFailure, std::string(kernel) + ": " + why);
      return;
    }
  }
}

void syncBlock() {
  if (!sched.current) return;  // host code: nothing to wait for
  wait(State::kAtBlockBarrier);
}

void shuffleXor(void* value, size_t bytes, int laneMask, int width) {
  Scheduler& s = sched;
  Thread* me = s.current;
  if (!me) return;
  if (width <= 0 || width > 32 || (width & (width - 1)) != 0 || laneMask < 0 || laneMask >= 32) {
    faultInFiber("__shfl_xor_sync with laneMask " + std::to_string(laneMask) + " and width " + std::to_string(width));
  }
  const unsigned index = static_cast<unsigned>(me - s.threads.data());
  const unsigned lane = index & 31u;
  // Within a segment of `width` lanes, as CUDA: a source outside it reads the own lane.
  unsigned srcLane = lane ^ static_cast<unsigned>(laneMask);
  if ((srcLane & ~unsigned(width - 1)) != (lane & ~unsigned(width - 1))) srcLane = lane;
  me->shuffleRound += 1;
  me->shuffleValue = 0;
  std::memcpy(&me->shuffleValue, value, bytes);
  wait(State::kAtWarpBarrier);  // every live lane has offered its value
  const unsigned src = (index & ~31u) + srcLane;
  if (src >= s.count) {
    faultInFiber("__shfl_xor_sync reads lane " + std::to_string(srcLane) + ", which this block (of " +
                 std::to_string(s.count) + " threads) does not have");
  }
  const Thread& other = s.threads[src];
  if (other.shuffleRound != me->shuffleRound) {
    faultInFiber("__shfl_xor_sync reads lane " + std::to_string(srcLane) + ", which " +
                 (other.state == State::kDone ? "has exited" : "is at another shuffle") + " (a divergent shuffle)");
  }
  std::memcpy(value, &other.shuffleValue, bytes);
  wait(State::kAtWarpBarrier);  // every lane has read before any offers its next value
}

}  // namespace gnemu
