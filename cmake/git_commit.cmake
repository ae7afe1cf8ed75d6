# Run at every build (cmake -P): writes OUT, the header with the commit of the source
# tree SOURCE_DIR, "-dirty" when tracked files differ from it, or "" outside git. The
# file is replaced only when that changes, so an unchanged tree recompiles nothing and a
# new commit is recorded without re-running cmake.
execute_process(COMMAND git rev-parse --short=12 HEAD WORKING_DIRECTORY ${SOURCE_DIR}
                OUTPUT_VARIABLE commit OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE failed ERROR_QUIET)
if(failed)
  set(commit "")
else()
  execute_process(COMMAND git status --porcelain --untracked-files=no WORKING_DIRECTORY ${SOURCE_DIR}
                  OUTPUT_VARIABLE changes OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(NOT changes STREQUAL "")
    string(APPEND commit "-dirty")
  endif()
endif()
set(text "#pragma once\n// Generated at build time by cmake/git_commit.cmake.\nnamespace brink {\ninline constexpr const char* kGitCommit = \"${commit}\";\n}  // namespace brink\n")
if(EXISTS ${OUT})
  file(READ ${OUT} old)
else()
  set(old "")
endif()
if(NOT old STREQUAL text)
  file(WRITE ${OUT} "${text}")
endif()
