// brink: the command-line front end. All the work is in the library.
#include "commands.hpp"

int main(int argc, char** argv) { return brink::cli::main(argc, argv); }
