#!/bin/sh
# Doxygen INPUT_FILTER (cmake/Doxyfile.in): lucid's headers document with plain // comments. Doxygen
# reads a comment line of its own as documentation of the declaration below it (///), and a comment
# after a member or an enumerator as documentation of that member (///<). The headers are unchanged.
exec sed -e 's|^\([[:space:]]*\)//\([[:space:]]\|$\)|\1///\2|' \
         -e 's|\([;,]\)\([[:space:]][[:space:]]*\)//[[:space:]]|\1\2///< |' "$1"
