#include "ort_api.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

static void copy_reason(char *error, size_t capacity, const char *reason) {
  if (error == NULL || capacity == 0) return;
  snprintf(error, capacity, "%s", reason != NULL ? reason : "unknown reason");
}

FaultlineOrtOpenResult faultline_ort_open(const char *path, uint32_t api_version, const OrtApi **api_out,
                                          const char **version_out, char *error, size_t error_capacity) {
  *api_out = NULL;
  *version_out = NULL;

  /* RTLD_LOCAL keeps the runtime's symbols out of the global namespace, so a second copy of
   * ONNX Runtime elsewhere in the process cannot bind to ours. */
  void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (handle == NULL) {
    copy_reason(error, error_capacity, dlerror());
    return FAULTLINE_ORT_LIBRARY_NOT_LOADED;
  }

  dlerror();
  void *symbol = dlsym(handle, "OrtGetApiBase");
  const char *symbol_error = dlerror();
  if (symbol == NULL || symbol_error != NULL) {
    copy_reason(error, error_capacity, symbol_error != NULL ? symbol_error : "OrtGetApiBase is null");
    dlclose(handle);
    return FAULTLINE_ORT_ENTRY_POINT_MISSING;
  }

  const OrtApiBase *(*get_api_base)(void);
  /* dlsym returns data pointers; POSIX guarantees the conversion to a function pointer. */
  memcpy(&get_api_base, &symbol, sizeof(get_api_base));
  const OrtApiBase *base = get_api_base();
  if (base == NULL) {
    copy_reason(error, error_capacity, "OrtGetApiBase returned null");
    return FAULTLINE_ORT_API_VERSION_UNSUPPORTED;
  }
  const char *version = base->GetVersionString != NULL ? base->GetVersionString() : NULL;
  const OrtApi *api = base->GetApi != NULL ? base->GetApi(api_version) : NULL;
  if (api == NULL) {
    char reason[160];
    snprintf(reason, sizeof(reason), "ONNX Runtime %s does not provide C API version %u",
             version != NULL ? version : "(unknown version)", (unsigned)api_version);
    copy_reason(error, error_capacity, reason);
    return FAULTLINE_ORT_API_VERSION_UNSUPPORTED;
  }

  *api_out = api;
  *version_out = version;
  return FAULTLINE_ORT_OPENED;
}
