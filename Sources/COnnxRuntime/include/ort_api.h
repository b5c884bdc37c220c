/*
 * The part of the ONNX Runtime C ABI that Faultline uses, declared by Faultline.
 *
 * The runtime comes from the onnxruntime wheel, which ships the shared library but no C
 * headers. ONNX Runtime's ABI is append-only: `OrtApi` is a struct of function pointers whose
 * order never changes between releases, and a newer library hands out the table of any older
 * API version it supports. So this header declares the table only up to the last entry we call
 * (ReleaseModelMetadata, entry 118), in the published order, with the entries we never call
 * kept as untyped placeholders so that every offset is right.
 *
 * The library is opened at run time with dlopen (see faultline_ort_open below), so a missing
 * or broken library is an error value with a message, not a failure to start the program.
 */
#ifndef FAULTLINE_ORT_API_H
#define FAULTLINE_ORT_API_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The API version Faultline asks for. 16 is ONNX Runtime 1.16; 1.32 supports it. */
#define FAULTLINE_ORT_API_VERSION 16

/* Opaque runtime objects. */
typedef struct OrtEnv OrtEnv;
typedef struct OrtStatus OrtStatus;
typedef struct OrtMemoryInfo OrtMemoryInfo;
typedef struct OrtSession OrtSession;
typedef struct OrtValue OrtValue;
typedef struct OrtRunOptions OrtRunOptions;
typedef struct OrtTypeInfo OrtTypeInfo;
typedef struct OrtTensorTypeAndShapeInfo OrtTensorTypeAndShapeInfo;
typedef struct OrtSessionOptions OrtSessionOptions;
typedef struct OrtModelMetadata OrtModelMetadata;
/* A public struct in ONNX Runtime; we only pass pointers to the runtime's own allocator. */
typedef struct OrtAllocator OrtAllocator;

typedef enum ONNXTensorElementDataType {
  ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED = 0,
  ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT = 1,
  ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8 = 2,
  ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8 = 3,
  ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT16 = 4,
  ONNX_TENSOR_ELEMENT_DATA_TYPE_INT16 = 5,
  ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32 = 6,
  ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64 = 7,
  ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING = 8,
  ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL = 9,
  ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16 = 10,
  ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE = 11
} ONNXTensorElementDataType;

typedef enum OrtLoggingLevel {
  ORT_LOGGING_LEVEL_VERBOSE = 0,
  ORT_LOGGING_LEVEL_INFO = 1,
  ORT_LOGGING_LEVEL_WARNING = 2,
  ORT_LOGGING_LEVEL_ERROR = 3,
  ORT_LOGGING_LEVEL_FATAL = 4
} OrtLoggingLevel;

typedef enum OrtErrorCode {
  ORT_OK = 0,
  ORT_FAIL = 1,
  ORT_INVALID_ARGUMENT = 2,
  ORT_NO_SUCHFILE = 3,
  ORT_NO_MODEL = 4,
  ORT_ENGINE_ERROR = 5,
  ORT_RUNTIME_EXCEPTION = 6,
  ORT_INVALID_PROTOBUF = 7,
  ORT_MODEL_LOADED = 8,
  ORT_NOT_IMPLEMENTED = 9,
  ORT_INVALID_GRAPH = 10,
  ORT_EP_FAIL = 11
} OrtErrorCode;

typedef enum GraphOptimizationLevel {
  ORT_DISABLE_ALL = 0,
  ORT_ENABLE_BASIC = 1,
  ORT_ENABLE_EXTENDED = 2,
  ORT_ENABLE_ALL = 99
} GraphOptimizationLevel;

typedef enum ExecutionMode {
  ORT_SEQUENTIAL = 0,
  ORT_PARALLEL = 1
} ExecutionMode;

typedef enum OrtAllocatorType {
  OrtInvalidAllocator = -1,
  OrtDeviceAllocator = 0,
  OrtArenaAllocator = 1
} OrtAllocatorType;

typedef enum OrtMemType {
  OrtMemTypeCPUInput = -2,
  OrtMemTypeCPUOutput = -1,
  OrtMemTypeDefault = 0
} OrtMemType;

typedef void (*OrtLoggingFunction)(void *param, OrtLoggingLevel severity, const char *category,
                                   const char *logid, const char *code_location, const char *message);

/* Returned by OrtGetApiBase: hands out the function table of a requested API version. */
typedef struct OrtApi OrtApi;
typedef struct OrtApiBase {
  const OrtApi *(*GetApi)(uint32_t version);
  const char *(*GetVersionString)(void);
} OrtApiBase;

/* The function table. A null OrtStatus* means success; a non-null one must be released. */
struct OrtApi {
  /* 0 */ OrtStatus *(*CreateStatus)(OrtErrorCode code, const char *msg);
  /* 1 */ OrtErrorCode (*GetErrorCode)(const OrtStatus *status);
  /* 2 */ const char *(*GetErrorMessage)(const OrtStatus *status);
  /* 3 */ OrtStatus *(*CreateEnv)(OrtLoggingLevel log_severity_level, const char *logid, OrtEnv **out);
  /* 4 */ OrtStatus *(*CreateEnvWithCustomLogger)(OrtLoggingFunction logging_function, void *logger_param,
                                                  OrtLoggingLevel log_severity_level, const char *logid,
                                                  OrtEnv **out);
  /* 5 */ void *EnableTelemetryEvents;
  /* 6 */ void *DisableTelemetryEvents;
  /* 7 */ OrtStatus *(*CreateSession)(const OrtEnv *env, const char *model_path, const OrtSessionOptions *options,
                                      OrtSession **out);
  /* 8 */ void *CreateSessionFromArray;
  /* 9 */ OrtStatus *(*Run)(OrtSession *session, const OrtRunOptions *run_options, const char *const *input_names,
                            const OrtValue *const *inputs, size_t input_len, const char *const *output_names,
                            size_t output_names_len, OrtValue **outputs);
  /* 10 */ OrtStatus *(*CreateSessionOptions)(OrtSessionOptions **options);
  /* 11 */ void *SetOptimizedModelFilePath;
  /* 12 */ void *CloneSessionOptions;
  /* 13 */ OrtStatus *(*SetSessionExecutionMode)(OrtSessionOptions *options, ExecutionMode execution_mode);
  /* 14 */ void *EnableProfiling;
  /* 15 */ void *DisableProfiling;
  /* 16 */ void *EnableMemPattern;
  /* 17 */ void *DisableMemPattern;
  /* 18 */ void *EnableCpuMemArena;
  /* 19 */ void *DisableCpuMemArena;
  /* 20 */ void *SetSessionLogId;
  /* 21 */ void *SetSessionLogVerbosityLevel;
  /* 22 */ void *SetSessionLogSeverityLevel;
  /* 23 */ OrtStatus *(*SetSessionGraphOptimizationLevel)(OrtSessionOptions *options,
                                                          GraphOptimizationLevel graph_optimization_level);
  /* 24 */ OrtStatus *(*SetIntraOpNumThreads)(OrtSessionOptions *options, int intra_op_num_threads);
  /* 25 */ OrtStatus *(*SetInterOpNumThreads)(OrtSessionOptions *options, int inter_op_num_threads);
  /* 26 */ void *CreateCustomOpDomain;
  /* 27 */ void *CustomOpDomain_Add;
  /* 28 */ void *AddCustomOpDomain;
  /* 29 */ void *RegisterCustomOpsLibrary;
  /* 30 */ OrtStatus *(*SessionGetInputCount)(const OrtSession *session, size_t *out);
  /* 31 */ OrtStatus *(*SessionGetOutputCount)(const OrtSession *session, size_t *out);
  /* 32 */ void *SessionGetOverridableInitializerCount;
  /* 33 */ OrtStatus *(*SessionGetInputTypeInfo)(const OrtSession *session, size_t index, OrtTypeInfo **type_info);
  /* 34 */ OrtStatus *(*SessionGetOutputTypeInfo)(const OrtSession *session, size_t index, OrtTypeInfo **type_info);
  /* 35 */ void *SessionGetOverridableInitializerTypeInfo;
  /* 36 */ OrtStatus *(*SessionGetInputName)(const OrtSession *session, size_t index, OrtAllocator *allocator,
                                             char **value);
  /* 37 */ OrtStatus *(*SessionGetOutputName)(const OrtSession *session, size_t index, OrtAllocator *allocator,
                                              char **value);
  /* 38 */ void *SessionGetOverridableInitializerName;
  /* 39 */ void *CreateRunOptions;
  /* 40 */ void *RunOptionsSetRunLogVerbosityLevel;
  /* 41 */ void *RunOptionsSetRunLogSeverityLevel;
  /* 42 */ void *RunOptionsSetRunTag;
  /* 43 */ void *RunOptionsGetRunLogVerbosityLevel;
  /* 44 */ void *RunOptionsGetRunLogSeverityLevel;
  /* 45 */ void *RunOptionsGetRunTag;
  /* 46 */ void *RunOptionsSetTerminate;
  /* 47 */ void *RunOptionsUnsetTerminate;
  /* 48 */ void *CreateTensorAsOrtValue;
  /* 49 */ OrtStatus *(*CreateTensorWithDataAsOrtValue)(const OrtMemoryInfo *info, void *p_data, size_t p_data_len,
                                                        const int64_t *shape, size_t shape_len,
                                                        ONNXTensorElementDataType type, OrtValue **out);
  /* 50 */ OrtStatus *(*IsTensor)(const OrtValue *value, int *out);
  /* 51 */ OrtStatus *(*GetTensorMutableData)(OrtValue *value, void **out);
  /* 52 */ void *FillStringTensor;
  /* 53 */ void *GetStringTensorDataLength;
  /* 54 */ void *GetStringTensorContent;
  /* 55 */ OrtStatus *(*CastTypeInfoToTensorInfo)(const OrtTypeInfo *type_info,
                                                  const OrtTensorTypeAndShapeInfo **out);
  /* 56 */ void *GetOnnxTypeFromTypeInfo;
  /* 57 */ void *CreateTensorTypeAndShapeInfo;
  /* 58 */ void *SetTensorElementType;
  /* 59 */ void *SetDimensions;
  /* 60 */ OrtStatus *(*GetTensorElementType)(const OrtTensorTypeAndShapeInfo *info, ONNXTensorElementDataType *out);
  /* 61 */ OrtStatus *(*GetDimensionsCount)(const OrtTensorTypeAndShapeInfo *info, size_t *out);
  /* 62 */ OrtStatus *(*GetDimensions)(const OrtTensorTypeAndShapeInfo *info, int64_t *dim_values,
                                       size_t dim_values_length);
  /* 63 */ void *GetSymbolicDimensions;
  /* 64 */ OrtStatus *(*GetTensorShapeElementCount)(const OrtTensorTypeAndShapeInfo *info, size_t *out);
  /* 65 */ OrtStatus *(*GetTensorTypeAndShape)(const OrtValue *value, OrtTensorTypeAndShapeInfo **out);
  /* 66 */ void *GetTypeInfo;
  /* 67 */ void *GetValueType;
  /* 68 */ void *CreateMemoryInfo;
  /* 69 */ OrtStatus *(*CreateCpuMemoryInfo)(OrtAllocatorType type, OrtMemType mem_type, OrtMemoryInfo **out);
  /* 70 */ void *CompareMemoryInfo;
  /* 71 */ void *MemoryInfoGetName;
  /* 72 */ void *MemoryInfoGetId;
  /* 73 */ void *MemoryInfoGetMemType;
  /* 74 */ void *MemoryInfoGetType;
  /* 75 */ void *AllocatorAlloc;
  /* 76 */ OrtStatus *(*AllocatorFree)(OrtAllocator *allocator, void *p);
  /* 77 */ void *AllocatorGetInfo;
  /* 78 */ OrtStatus *(*GetAllocatorWithDefaultOptions)(OrtAllocator **out);
  /* 79 */ void *AddFreeDimensionOverride;
  /* 80 */ void *GetValue;
  /* 81 */ void *GetValueCount;
  /* 82 */ void *CreateValue;
  /* 83 */ void *CreateOpaqueValue;
  /* 84 */ void *GetOpaqueValue;
  /* 85 */ void *KernelInfoGetAttribute_float;
  /* 86 */ void *KernelInfoGetAttribute_int64;
  /* 87 */ void *KernelInfoGetAttribute_string;
  /* 88 */ void *KernelContext_GetInputCount;
  /* 89 */ void *KernelContext_GetOutputCount;
  /* 90 */ void *KernelContext_GetInput;
  /* 91 */ void *KernelContext_GetOutput;
  /* 92 */ void (*ReleaseEnv)(OrtEnv *input);
  /* 93 */ void (*ReleaseStatus)(OrtStatus *input);
  /* 94 */ void (*ReleaseMemoryInfo)(OrtMemoryInfo *input);
  /* 95 */ void (*ReleaseSession)(OrtSession *input);
  /* 96 */ void (*ReleaseValue)(OrtValue *input);
  /* 97 */ void *ReleaseRunOptions;
  /* 98 */ void (*ReleaseTypeInfo)(OrtTypeInfo *input);
  /* 99 */ void (*ReleaseTensorTypeAndShapeInfo)(OrtTensorTypeAndShapeInfo *input);
  /* 100 */ void (*ReleaseSessionOptions)(OrtSessionOptions *input);
  /* 101 */ void *ReleaseCustomOpDomain;
  /* 102 */ void *GetDenotationFromTypeInfo;
  /* 103 */ void *CastTypeInfoToMapTypeInfo;
  /* 104 */ void *CastTypeInfoToSequenceTypeInfo;
  /* 105 */ void *GetMapKeyType;
  /* 106 */ void *GetMapValueType;
  /* 107 */ void *GetSequenceElementType;
  /* 108 */ void *ReleaseMapTypeInfo;
  /* 109 */ void *ReleaseSequenceTypeInfo;
  /* 110 */ void *SessionEndProfiling;
  /* 111 */ OrtStatus *(*SessionGetModelMetadata)(const OrtSession *session, OrtModelMetadata **out);
  /* 112 */ void *ModelMetadataGetProducerName;
  /* 113 */ void *ModelMetadataGetGraphName;
  /* 114 */ void *ModelMetadataGetDomain;
  /* 115 */ void *ModelMetadataGetDescription;
  /* 116 */ OrtStatus *(*ModelMetadataLookupCustomMetadataMap)(const OrtModelMetadata *model_metadata,
                                                              OrtAllocator *allocator, const char *key,
                                                              char **value);
  /* 117 */ void *ModelMetadataGetVersion;
  /* 118 */ void (*ReleaseModelMetadata)(OrtModelMetadata *input);
  /* Later entries exist in the library; we never read past this one. */
};

/* What went wrong when opening the library. */
typedef enum FaultlineOrtOpenResult {
  FAULTLINE_ORT_OPENED = 0,
  /* dlopen failed: the file is missing, not a shared library, or its dependencies are missing. */
  FAULTLINE_ORT_LIBRARY_NOT_LOADED = 1,
  /* The library has no OrtGetApiBase symbol: it is not ONNX Runtime. */
  FAULTLINE_ORT_ENTRY_POINT_MISSING = 2,
  /* OrtGetApiBase returned null or GetApi refused the requested version: the runtime is too old. */
  FAULTLINE_ORT_API_VERSION_UNSUPPORTED = 3
} FaultlineOrtOpenResult;

/*
 * Opens the ONNX Runtime shared library at `path` and asks it for the function table of
 * `api_version`. On success stores the table and the runtime's version string. On failure
 * writes a NUL-terminated reason (from dlerror where there is one) into `error`.
 * The library stays loaded for the life of the process: ONNX Runtime does not support unloading.
 */
FaultlineOrtOpenResult faultline_ort_open(const char *path, uint32_t api_version, const OrtApi **api_out,
                                          const char **version_out, char *error, size_t error_capacity);

#ifdef __cplusplus
}
#endif

#endif /* FAULTLINE_ORT_API_H */
