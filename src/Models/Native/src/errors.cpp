#include "atr.h"

#include <string>

namespace {
// Per thread: the managed caller reads the message on the thread that made the failing call.
thread_local std::string last_error;
}  // namespace

void atr::set_error(const char* message) { last_error = message; }

ATR_API const char* atr_last_error() { return last_error.c_str(); }
