// libFuzzer's driver entry point (https://llvm.org/docs/LibFuzzer.html#using-libfuzzer-as-a-library),
// so that one executable can hold every fuzz target and pick one at start.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*UserCb)(const uint8_t *Data, size_t Size));
