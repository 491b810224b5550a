// leading comment
MATCH /* inline */ (n) // trailing
	 RETURN   n /* block
   spanning lines */
