-- Search of dossiers by the name of the person they are about (the child of a birth, the deceased of a
-- death), accent- and case-insensitive: "nguyen van an" finds "Nguyễn Văn An". The name is kept as its
-- words without diacritics in "name_words", by a trigger from the stored intake, and found with
-- "name_words @> words of the query" through a GIN index (array_ops, no extension needed): every word
-- of the query must be a word of the name, in any order. The API normalises the query with the same
-- function, so the two sides never disagree.

-- Vietnamese letters to their base letter (both cases: lower() of a C-locale database leaves them),
-- then lower case, then the words between anything that is not a letter or a digit.
CREATE FUNCTION "dossier_name_words"(full_name TEXT) RETURNS TEXT[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_remove(regexp_split_to_array(
        lower(translate(normalize(full_name, NFC),
            'àÀáÁảẢãÃạẠăĂằẰắẮẳẲẵẴặẶâÂầẦấẤẩẨẫẪậẬèÈéÉẻẺẽẼẹẸêÊềỀếẾểỂễỄệỆìÌíÍỉỈĩĨịỊòÒóÓỏỎõÕọỌôÔồỒốỐổỔỗỖộỘơƠờỜớỚởỞỡỠợỢùÙúÚủỦũŨụỤưƯừỪứỨửỬữỮựỰỳỲýÝỷỶỹỸỵỴĐđ',
            'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaeeeeeeeeeeeeeeeeeeeeeeiiiiiiiiiioooooooooooooooooooooooooooooooooouuuuuuuuuuuuuuuuuuuuuuyyyyyyyyyydd')),
        '[^a-z0-9]+'), ''), '{}')
$$;

ALTER TABLE "dossier" ADD COLUMN "name_words" TEXT[] NOT NULL DEFAULT '{}';

CREATE FUNCTION "dossier_name_words_on_dossier"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.name_words := coalesce(dossier_name_words(coalesce(NEW.intake -> 'child' ->> 'fullName', NEW.intake -> 'deceased' ->> 'fullName')), '{}');
    RETURN NEW;
END $$;

CREATE TRIGGER "dossier_name_words" BEFORE INSERT OR UPDATE OF "intake" ON "dossier"
    FOR EACH ROW EXECUTE FUNCTION "dossier_name_words_on_dossier"();

UPDATE "dossier" SET "name_words" = coalesce(dossier_name_words(coalesce("intake" -> 'child' ->> 'fullName', "intake" -> 'deceased' ->> 'fullName')), '{}');

CREATE INDEX "dossier_name_words_idx" ON "dossier" USING GIN ("name_words");
