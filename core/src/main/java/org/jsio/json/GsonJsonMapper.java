package org.jsio.json;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import java.lang.reflect.Type;

/** The default {@link JsonMapper}, backed by Gson. */
public final class GsonJsonMapper implements JsonMapper {
    private final Gson gson;

    /** A mapper with Gson's defaults (HTML escaping off). */
    public GsonJsonMapper() {
        this(new GsonBuilder().disableHtmlEscaping().create());
    }

    /** A mapper using a configured Gson instance (type adapters, naming policy, ...). */
    public GsonJsonMapper(Gson gson) {
        this.gson = gson;
    }

    @Override
    public Object toTree(Object value) {
        try {
            return JsonTree.parse(gson.toJson(value));
        } catch (JsonParseException e) {
            throw new JsonException("cannot convert " + value.getClass().getName() + " to JSON", e);
        }
    }

    @Override
    public <T> T fromTree(Object tree, Type type) {
        try {
            JsonElement element = gson.toJsonTree(tree);
            return gson.fromJson(element, type);
        } catch (JsonParseException | IllegalArgumentException | ClassCastException e) {
            throw new JsonException("cannot bind JSON to " + type.getTypeName(), e);
        }
    }
}
