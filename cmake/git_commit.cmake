# Run at every build (cmake -P): configures OUT from sim/include/brink/git_commit.hpp.in
# with the commit of the source tree SOURCE_DIR, "-dirty" when tracked files differ
# from it, or "" outside git. configure_file rewrites OUT only when that changes, so an
# unchanged tree recompiles nothing and a new commit is recorded without re-running cmake.
cmake_minimum_required(VERSION 3.25)
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
configure_file(${SOURCE_DIR}/sim/include/brink/git_commit.hpp.in ${OUT} @ONLY)
