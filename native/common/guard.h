// Turns every C++ exception an entry point lets escape into a JS error, so no
// call can end the process with std::terminate. Napi::Error passes through
// (node-addon-api rethrows it in JS); std::bad_alloc becomes a RangeError and
// anything else an Error, each named after the kernel.
//
//   exports.Set("gemm", Napi::Function::New<Guarded<Gemm>>(env, "gemm", kernelName("gemm")));
#pragma once

#include <napi.h>

#include <exception>
#include <new>
#include <string>

namespace gradnode {

using EntryPoint = Napi::Value (*)(const Napi::CallbackInfo&);

/** The kernel name, passed as the function's data pointer. */
inline void* kernelName(const char* name) { return const_cast<char*>(name); }

template <EntryPoint F>
Napi::Value Guarded(const Napi::CallbackInfo& info) {
  try {
    return F(info);
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::bad_alloc&) {
    const char* name = static_cast<const char*>(info.Data());
    throw Napi::RangeError::New(info.Env(), std::string(name ? name : "gradnode") +
                                                ": out of memory for the workspace");
  } catch (const std::exception& e) {
    const char* name = static_cast<const char*>(info.Data());
    throw Napi::Error::New(info.Env(), std::string(name ? name : "gradnode") + ": " + e.what());
  } catch (...) {
    const char* name = static_cast<const char*>(info.Data());
    throw Napi::Error::New(info.Env(), std::string(name ? name : "gradnode") + ": native exception");
  }
}

/** Registers F as exports[name]. */
template <EntryPoint F>
void registerEntryPoint(Napi::Env env, Napi::Object exports, const char* name) {
  exports.Set(name, Napi::Function::New<Guarded<F>>(env, name, kernelName(name)));
}

}  // namespace gradnode
