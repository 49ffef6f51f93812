package org.jsio.json;

import java.lang.reflect.Type;

/**
 * Converts between application objects and JSON trees. A JSON tree is made of {@code Map<String,
 * Object>}, {@code List<Object>}, {@code String}, {@code Number}, {@code Boolean} and {@code null}
 * (and {@code byte[]} for Socket.IO binary attachments).
 *
 * <p>The wire format itself is written and read by the library; a mapper is only asked to turn
 * user types into trees ({@link #toTree}) and trees into user types ({@link #fromTree}). The
 * default is {@link GsonJsonMapper}.
 */
public interface JsonMapper {

    /** Turns an application object (a POJO, record, enum, ...) into a JSON tree. */
    Object toTree(Object value);

    /** Binds a JSON tree to an application type. */
    <T> T fromTree(Object tree, Type type);
}
