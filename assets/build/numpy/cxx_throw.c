/* numpy's FFT (pocketfft, C++) throws on bad input or a failed allocation.
 * wasm32-wasi has no C++ exception runtime (wazero has no exception-
 * handling proposal), so a throw ends the instance: the message names the
 * cause and the run fails as a crash, never silently. */
#include <stdio.h>
#include <stdlib.h>

void *
__cxa_allocate_exception(size_t size)
{
    return malloc(size);
}

void
__cxa_free_exception(void *p)
{
    free(p);
}

_Noreturn void
__cxa_throw(void *exception, void *type, void (*dtor)(void *))
{
    (void)exception;
    (void)type;
    (void)dtor;
    fputs("numpy: a C++ exception was thrown (pocketfft); wasm32-wasi has no "
          "exception support, so the instance stops\n", stderr);
    abort();
}
