# Writes OUT, a C++ source defining `extern const std::string_view NAME` (in namespace NS) that
# holds the text of the file IN, as a raw string literal. Run at build time by
# slayer_embed_text() (CMakeLists.txt), so the binary needs no data files at run time.
file(READ "${IN}" text)
set(delim "slayer_embed")
string(FIND "${text}" ")${delim}\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${IN} contains the raw-string delimiter )${delim}\"")
endif()
file(WRITE "${OUT}.tmp" "// Generated from ${IN} by cmake/embed_text.cmake. Do not edit.
#include <string_view>

namespace ${NS} {

extern const std::string_view ${NAME};
const std::string_view ${NAME} = R\"${delim}(${text})${delim}\";

}  // namespace ${NS}
")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")
