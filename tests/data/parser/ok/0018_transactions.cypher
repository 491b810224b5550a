BEGIN;
CREATE (:A);
COMMIT;
begin; rollback
