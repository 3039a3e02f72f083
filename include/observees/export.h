// Symbol visibility for the observees library: the library is built with hidden visibility, and only
// declarations marked OBSERVEES_EXPORT are part of its binary interface.
#pragma once

#if defined(OBSERVEES_STATIC_DEFINE)
#define OBSERVEES_EXPORT
#elif defined(_WIN32)
#if defined(OBSERVEES_BUILDING)
#define OBSERVEES_EXPORT __declspec(dllexport)
#else
#define OBSERVEES_EXPORT __declspec(dllimport)
#endif
#else
#define OBSERVEES_EXPORT __attribute__((visibility("default")))
#endif
